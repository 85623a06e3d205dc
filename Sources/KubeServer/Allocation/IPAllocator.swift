import Synchronization

// Allocates Service cluster IPs from an IPv4 CIDR, like kube-apiserver's bitmap allocator:
// the network and broadcast addresses are never handed out, and an explicitly requested IP is
// reserved if free.
//
// Servers whose cluster IPs are real addresses on this machine (the local fleet serves them on
// loopback) share one allocator per range in the process (`shared(cidr:)`), so two fleets running
// side by side never hand out the same address; its first address to try is random, so that
// fleets in different processes rarely meet.

public final class IPAllocator: Sendable {
    public struct RangeError: Error, CustomStringConvertible {
        public var description: String
    }

    private let base: UInt32
    private let size: UInt32
    private struct State {
        var used: Set<UInt32> = []
        var next: UInt32 = 1
    }
    private let state = Mutex(State())

    private static let registry = Mutex<[String: IPAllocator]>([:])

    /// The process-wide allocator of `cidr`, starting at a random address.
    public static func shared(cidr: String) throws(RangeError) -> IPAllocator {
        let candidate = try IPAllocator(cidr: cidr)
        return registry.withLock { allocators in
            if let existing = allocators[cidr] { return existing }
            candidate.state.withLock { $0.next = UInt32.random(in: 1..<max(2, candidate.size - 1)) }
            allocators[cidr] = candidate
            return candidate
        }
    }

    public init(cidr: String) throws(RangeError) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (8...30).contains(prefix),
            let address = Self.parse(String(parts[0]))
        else {
            throw RangeError(description: "invalid service cluster IP range \"\(cidr)\": must be an IPv4 CIDR with a prefix between /8 and /30")
        }
        size = UInt32(1) << UInt32(32 - prefix)
        base = address & ~(size - 1)
    }

    public func contains(_ ip: String) -> Bool {
        guard let value = Self.parse(ip) else { return false }
        return value > base && value < base + size - 1
    }

    /// The next free address, or nil when the range is full.
    public func allocateNext() -> String? {
        state.withLock { state in
            for _ in 0..<(size - 2) {
                let offset = state.next
                state.next = state.next + 1 >= size - 1 ? 1 : state.next + 1
                if !state.used.contains(offset) {
                    state.used.insert(offset)
                    return Self.format(base + offset)
                }
            }
            return nil
        }
    }

    /// Reserves a specific address; false if taken or outside the range.
    public func allocate(_ ip: String) -> Bool {
        guard contains(ip), let value = Self.parse(ip) else { return false }
        return state.withLock { $0.used.insert(value - base).inserted }
    }

    public func release(_ ip: String) {
        guard let value = Self.parse(ip), contains(ip) else { return }
        _ = state.withLock { $0.used.remove(value - base) }
    }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}

/// Allocates Service node ports from a range.
public final class PortAllocator: Sendable {
    private let range: ClosedRange<Int>
    private let used = Mutex(Set<Int>())

    public init(range: ClosedRange<Int>) {
        self.range = range
    }

    public func allocateNext() -> Int? {
        used.withLock { used in
            for port in range where !used.contains(port) {
                used.insert(port)
                return port
            }
            return nil
        }
    }

    public func allocate(_ port: Int) -> Bool {
        guard range.contains(port) else { return false }
        return used.withLock { $0.insert(port).inserted }
    }

    public func release(_ port: Int) {
        _ = used.withLock { $0.remove(port) }
    }
}
