import NIOCore

// The HTTP server allows half-closed connections, so a client that goes away (EOF, or TLS
// close_notify) only closes the input side and the connection lingers. kube-apiserver (Go's
// net/http) treats a read EOF as the client hanging up and cancels the request in flight; this
// handler does the same by closing the connection, which ends a watch at once instead of at its
// next event or its timeout.

final class ClientHangUpHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
