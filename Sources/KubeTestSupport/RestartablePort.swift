#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

// A TCP port for a server that a test stops and starts again on the same port, as a restarted
// kube-apiserver comes back on its own. A port the kernel picks (bind to port 0) lies in the
// ephemeral range, where every outgoing connection of a busy test process also takes its local
// port: between a stop and a start another socket can take it, and the restart cannot bind.
// These ports lie below that range, where the kernel hands out nothing by itself, and the process
// never hands one out twice.

public enum RestartablePort {
    private static let handedOut = Mutex<Set<Int>>([])

    /// A port on 127.0.0.1 below the ephemeral range that was free when asked, never returned
    /// before in this process.
    public static func next() -> Int {
        let upper = ephemeralRangeStart()
        let lower = min(10_000, upper - 1_000)
        var random = SystemRandomNumberGenerator()
        while true {
            let port = Int.random(in: lower..<upper, using: &random)
            let fresh = handedOut.withLock { $0.insert(port).inserted }
            if fresh, isFree(port) { return port }
        }
    }

    /// The first port of the kernel's ephemeral range (32768 where it cannot be read).
    static func ephemeralRangeStart() -> Int {
        guard let file = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r") else { return 32_768 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return 32_768 }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let low = text.split(whereSeparator: \.isWhitespace).first.flatMap({ Int($0) }), low > 11_000 else {
            return 32_768
        }
        return low
    }

    /// Whether a listening socket can bind 127.0.0.1:`port` now.
    static func isFree(_ port: Int) -> Bool {
        #if os(Linux)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

extension RestartablePort {
    /// Runs `start` (which binds a port it was given) again while it fails because the address is
    /// in use, for up to `timeout`, as a supervisor restarts a server that could not bind. Each
    /// retry writes what holds the port (from /proc/net/tcp) to standard error.
    public static func retryingWhileInUse<T>(
        port: Int, timeout: Duration = .seconds(10), _ start: () async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try await start()
            } catch where "\(error)".contains("Address already in use") && ContinuousClock.now < deadline {
                let holders = socketsOnPort(port)
                let line = "port \(port) in use, retrying; sockets on it: \(holders.isEmpty ? "none listed" : holders.joined(separator: "; "))\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The /proc/net/tcp and tcp6 rows (local address, remote address, state) whose local port
    /// is `port`.
    static func socketsOnPort(_ port: Int) -> [String] {
        socketsOnPort(port, table: "/proc/net/tcp") + socketsOnPort(port, table: "/proc/net/tcp6")
    }

    private static func socketsOnPort(_ port: Int, table: String) -> [String] {
        guard let file = fopen(table, "r") else { return [] }
        defer { fclose(file) }
        let hexPort = ":" + String(port, radix: 16, uppercase: true).leftPadded(to: 4)
        var rows: [String] = []
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(whereSeparator: \.isWhitespace)
            guard fields.count > 3, fields[1].hasSuffix(hexPort) else { continue }
            rows.append("\(fields[1]) -> \(fields[2]) state \(fields[3])")
        }
        return rows
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
