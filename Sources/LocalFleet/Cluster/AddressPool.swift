import Synchronization

// IPv4 addresses handed out from a /16 on loopback (127.X.0.0/16): pod IPs and LoadBalancer IPs
// of the local fleet's clusters (DESIGN.md "The local fleet"). Addresses are reused only after
// release; `.0` and `.255` host bytes are skipped so every address looks ordinary.
//
// One pool per prefix per process (`shared(prefix:)`), so fleets running side by side in one
// process never hand out the same address; an address another process already serves on is
// marked unavailable when binding to it fails, and the next one is taken.

/// A pool of addresses `prefix.c.d` (prefix = first two octets).
public final class AddressPool: Sendable {
    /// The first two octets, e.g. `127.11`.
    public let prefix: String
    private let state = Mutex(State())

    private struct State {
        var next = 1
        var inUse: [String: String] = [:]  // address → owner
        var byOwner: [String: String] = [:]  // owner → address
    }

    public init(prefix: String) {
        self.prefix = prefix
    }

    private static let registry = Mutex<[String: AddressPool]>([:])

    /// The process-wide pool of `prefix`.
    public static func shared(prefix: String) -> AddressPool {
        registry.withLock { pools in
            if let pool = pools[prefix] { return pool }
            let pool = AddressPool(prefix: prefix)
            pools[prefix] = pool
            return pool
        }
    }

    /// `address` is in use elsewhere (binding to it failed): never hand it out again, and let
    /// `owner` (which held it) get another one.
    public func markUnavailable(_ address: String, heldBy owner: String) {
        state.withLock { state in
            if state.byOwner[owner] == address { state.byOwner[owner] = nil }
            state.inUse[address] = "unavailable"
        }
    }

    /// The address of `owner` (e.g. `namespace/pod`), allocating one on first request.
    public func address(for owner: String) throws -> String {
        try state.withLock { state in
            if let existing = state.byOwner[owner] { return existing }
            for _ in 0..<(256 * 256) {
                let candidate = state.next
                state.next = state.next % (256 * 256 - 1) + 1
                let (high, low) = (candidate / 256, candidate % 256)
                guard low != 0, low != 255 else { continue }
                let address = "\(prefix).\(high).\(low)"
                if state.inUse[address] == nil {
                    state.inUse[address] = owner
                    state.byOwner[owner] = address
                    return address
                }
            }
            throw PoolExhausted(prefix: prefix)
        }
    }

    /// Claims `address` for `owner` if it is in this pool and free (e.g. after a restart).
    public func claim(_ address: String, for owner: String) -> Bool {
        guard contains(address) else { return false }
        return state.withLock { state in
            if let holder = state.inUse[address] { return holder == owner }
            if let previous = state.byOwner[owner] { state.inUse[previous] = nil }
            state.inUse[address] = owner
            state.byOwner[owner] = address
            return true
        }
    }

    /// Frees the address of `owner`.
    public func release(owner: String) {
        state.withLock { state in
            if let address = state.byOwner.removeValue(forKey: owner) { state.inUse[address] = nil }
        }
    }

    public func contains(_ address: String) -> Bool { address.hasPrefix(prefix + ".") }

    public struct PoolExhausted: Error, CustomStringConvertible {
        let prefix: String
        public var description: String { "no free address left in \(prefix).0.0/16" }
    }
}
