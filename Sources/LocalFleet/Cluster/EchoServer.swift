import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

// The built-in app of the local fleet's Pods (image `fleetnet/echo`, or the reference tutorial's
// app): an HTTP/1.1 server on `podIP:containerPort` answering every request with the JSON the
// tutorial's Flask app returns: `{"message", "pod_name", "pod_namespace", "cluster_id"}`.

/// A running echo server; `stop()` closes it.
enum EchoServer {

    /// The body every request gets.
    static func body(podName: String, podNamespace: String, clusterID: String) -> [UInt8] {
        let object: [String: String] = [
            "message": "Hello World!", "pod_name": podName, "pod_namespace": podNamespace, "cluster_id": clusterID,
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { Array($0) } ?? []
    }

    static func start(host: String, port: Int, body: [UInt8]) async throws -> BoundListener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(body: body))
                }
            }
            .bind(host: host, port: port).get()
        return BoundListener(host: host, requestedPort: port, channel: channel)
    }
}

private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let body: [UInt8]
    private var keepAlive = true

    init(body: [UInt8]) {
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            keepAlive = request.isKeepAlive
            return
        case .body:
            return
        case .end:
            break
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
