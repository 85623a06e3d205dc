import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Aborting a TCP connection instead of closing it: the peer gets an RST (ECONNRESET) rather than
// a FIN, and what was unsent is discarded.

extension Channel {
    /// Closes with an RST: SO_LINGER on with a zero timeout, then close. A channel that is not a
    /// socket is just closed.
    func closeWithReset() -> EventLoopFuture<Void> {
        guard let socket = self as? any SocketOptionProvider else { return close() }
        return socket.setSoLinger(linger(l_onoff: 1, l_linger: 0))
            .flatMapError { _ in self.eventLoop.makeSucceededVoidFuture() }
            .flatMap { self.close() }
    }
}
