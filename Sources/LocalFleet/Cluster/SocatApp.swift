import KubeModel
import NIOCore
import NIOPosix

// The second app the local fleet's kubelet runs: `socat` answering each TCP connection and each UDP
// datagram with one line of text, as the SIG-Multicluster conformance suite's backends do
// (`alpine/socat` on TCP and UDP 42 replying `pod ip <pod IP>`). Listeners and the reply come from
// the container's arguments when they use socat's `TCP-LISTEN:<port>` / `UDP-RECVFROM:<port>` and
// `SYSTEM:echo <text>` forms (with `$(VAR)` taken from the container's environment), else from its
// declared ports and `pod ip <pod IP>`.

enum SocatApp {
    /// Whether `image` is socat (e.g. `alpine/socat:1.7.4.4`).
    static func runsImage(_ repository: String) -> Bool {
        repository == "socat" || repository.hasSuffix("/socat")
    }

    /// The listeners of a socat container of a Pod at `podIP`; `environment` resolves `$(VAR)`.
    static func listeners(of container: Container, podIP: String, environment: [String: String]) -> [AppListener] {
        let arguments = (container.command ?? []) + (container.args ?? [])
        var reply = "pod ip \(podIP)"
        var listeners: [(Int, String)] = []
        for argument in arguments {
            let upper = argument.uppercased()
            for (prefix, proto) in [
                ("TCP-LISTEN:", "TCP"), ("TCP4-LISTEN:", "TCP"), ("UDP-RECVFROM:", "UDP"), ("UDP4-RECVFROM:", "UDP"),
                ("UDP-LISTEN:", "UDP"), ("UDP4-LISTEN:", "UDP"),
            ] where upper.hasPrefix(prefix) {
                let port = argument.dropFirst(prefix.count).prefix { $0 != "," }
                if let number = Int(port), (1...65535).contains(number) { listeners.append((number, proto)) }
            }
            for prefix in ["SYSTEM:echo ", "EXEC:echo "] where argument.hasPrefix(prefix) {
                reply = expand(String(argument.dropFirst(prefix.count)), environment: environment)
            }
        }
        if listeners.isEmpty {
            listeners = (container.ports ?? []).map { (Int($0.containerPort), $0.protocol ?? "TCP") }
        }
        let bytes = Array((reply + "\n").utf8)
        return listeners.map { AppListener(port: $0.0, protocol: $0.1, response: .text(bytes)) }
    }

    /// `$(NAME)`, `${NAME}` and `$NAME` replaced from `environment` (unknown names: empty).
    static func expand(_ text: String, environment: [String: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            let (open, close): (Character?, Character?) =
                rest.first == "(" ? ("(", ")") : rest.first == "{" ? ("{", "}") : (nil, nil)
            if let open, let close, rest.first == open, let end = rest.firstIndex(of: close) {
                result += environment[String(rest[rest.index(after: rest.startIndex)..<end])] ?? ""
                rest = rest[rest.index(after: end)...]
            } else {
                let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                result += name.isEmpty ? "$" : environment[String(name)] ?? ""
                rest = rest.dropFirst(name.count)
            }
        }
        return result + rest
    }
}

/// A TCP server that writes one reply to each connection, then half-closes it and closes once the
/// client is done (or after two seconds), as socat does when its `SYSTEM:echo` ends.
enum TextReplyServer {

    static func start(host: String, port: Int, reply: [UInt8]) async throws -> BoundListener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyOnConnect(reply: reply))
                }
            }
            .bind(host: host, port: port).get()
        return BoundListener(host: host, requestedPort: port, channel: channel)
    }
}

/// Writes the reply as soon as the connection is up, half-closes, and closes when the client has
/// finished sending (or after two seconds); what the client sends is read and dropped.
private final class ReplyOnConnect: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let reply: [UInt8]

    init(reply: [UInt8]) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(ByteBuffer(bytes: reply))).whenComplete { _ in
            bound.value.close(mode: .output, promise: nil)
        }
        context.eventLoop.scheduleTask(in: .seconds(2)) { bound.value.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A UDP server that answers each datagram with one reply.
enum UDPReplyServer {

    static func start(host: String, port: Int, reply: [UInt8]) async throws -> BoundListener {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Replier(reply: reply)) }
            }
            .bind(host: host, port: port).get()
        return BoundListener(host: host, requestedPort: port, channel: channel)
    }

    private final class Replier: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let reply: [UInt8]

        init(reply: [UInt8]) { self.reply = reply }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let request = unwrapInboundIn(data)
            context.writeAndFlush(
                wrapOutboundOut(AddressedEnvelope(remoteAddress: request.remoteAddress, data: ByteBuffer(bytes: reply))), promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {}
    }
}
