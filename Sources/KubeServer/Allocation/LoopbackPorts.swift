import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Loopback ports for servers a test or the bench starts in another process, which binds them
/// later: taken from below the kernel's ephemeral (outgoing) range. A port bind(0) hands out lies
/// inside that range, where any outgoing connection or any other bind(0) in the meantime may take
/// it ("Address already in use" when the process starts, seen in scale runs and in CI); below the
/// range only another listener can.
public enum LoopbackPorts {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// `count` distinct loopback ports that were free a moment ago.
    public static func free(_ count: Int) throws -> [Int] {
        let lowestEphemeral = ephemeralRange().lowerBound
        let candidates = max(1_024, lowestEphemeral - 12_000)..<lowestEphemeral
        var ports: [Int] = []
        for _ in 0..<(200 * count) where ports.count < count {
            let port = Int.random(in: candidates)
            if !ports.contains(port), try bindable(port) { ports.append(port) }
        }
        guard ports.count == count else { throw Unavailable(description: "no \(count) free loopback ports in \(candidates)") }
        return ports
    }

    /// The kernel's ephemeral port range; Linux's default when it cannot be read.
    public static func ephemeralRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] > 2_048, bounds[0] <= bounds[1] else { return 32_768...60_999 }
        return bounds[0]...bounds[1]
    }

    /// Whether 127.0.0.1:`port` can be bound right now.
    static func bindable(_ port: Int) throws -> Bool {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Unavailable(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }
}
