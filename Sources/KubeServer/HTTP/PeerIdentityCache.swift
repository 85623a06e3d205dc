import NIOCore
import Synchronization

// The client-certificate identity of each open connection, resolved once: parsing the peer
// certificate on every request cost about 5% of the server's CPU under load. Entries leave when
// their connection closes, so a later channel at the same address cannot inherit one.

final class PeerIdentityCache: Sendable {
    private let entries = Mutex<[ObjectIdentifier: UserInfo?]>([:])

    func identity(of channel: any Channel, resolve: () async -> UserInfo?) async -> UserInfo? {
        let id = ObjectIdentifier(channel)
        if let cached = entries.withLock({ $0[id] }) { return cached }
        let user = await resolve()
        let inserted = entries.withLock { entries in
            guard entries[id] == nil else { return false }
            entries[id] = .some(user)
            return true
        }
        if inserted {
            channel.closeFuture.whenComplete { [weak self] _ in
                _ = self?.entries.withLock { $0.removeValue(forKey: id) }
            }
        }
        return user
    }

    /// Connections with a cached identity.
    var count: Int { entries.withLock { $0.count } }
}
