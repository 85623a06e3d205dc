import NIOCore
import Synchronization

/// The server's open TCP connections, so that `DNSServer.stop()` can close every one of them,
/// and so that there are never more than `limit`.
///
/// Once `closeAll()` has run, nothing more is admitted: a connection accepted just before the
/// listener closed, whose initialiser runs after, is refused rather than left open.
final class DNSConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { state.withLock { $0.channels.count } }

    /// Admits `channel` and forgets it once it closes; false (and nothing remembered) when the
    /// registry is closed or full.
    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = state.withLock { state in
            guard !state.isClosed, state.channels.count < limit else { return false }
            state.channels[key] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [weak self] _ in
                self?.state.withLock { _ = $0.channels.removeValue(forKey: key) }
            }
        }
        return admitted
    }

    /// Refuses new connections from now on and closes the open ones; returns once all are closed.
    func closeAll() async {
        let open = state.withLock { state in
            state.isClosed = true
            return Array(state.channels.values)
        }
        for channel in open {
            channel.close(promise: nil)
        }
        for channel in open {
            try? await channel.closeFuture.get()
        }
    }
}
