import Foundation
import NIOCore
import NIOPosix
import Synchronization

// What the upstream suite does with `kubectl exec <request pod> -- nc …`, without exec: a TCP
// connection or a UDP datagram from the request Pod's IP in a member (the member's pod network on
// loopback) to an address, sending `hi` and reading the one-line answer (`pod ip <ip>` from the
// socat backends). Nil when nothing answers within the timeout (as `nc -w 2` gives up).

enum Probe {
    /// The first line answered over TCP from `source` to `host:port`, or nil.
    static func tcp(from source: String, to host: String, port: Int, timeout: TimeAmount = .seconds(2)) async -> String? {
        let reply = ReplyCollector()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .bind(to: try SocketAddress(ipAddress: source, port: 0))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reply.handler()) }
                }
                .connect(host: host, port: port).get()
            try await channel.writeAndFlush(ByteBuffer(string: "hi\n")).get()
            let answer = await reply.firstLine(within: timeout)
            try? await channel.close()
            return answer
        } catch {
            return nil
        }
    }

    /// The first line answered over UDP from `source` to `host:port`, or nil.
    static func udp(from source: String, to host: String, port: Int, timeout: TimeAmount = .seconds(2)) async -> String? {
        let reply = ReplyCollector()
        do {
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reply.datagramHandler()) }
                }
                .bind(host: source, port: 0).get()
            let target = try SocketAddress(ipAddress: host, port: port)
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(string: "hi\n"))).get()
            let answer = await reply.firstLine(within: timeout)
            try? await channel.close()
            return answer
        } catch {
            return nil
        }
    }
}

/// Collects what a probe's channel reads until the first line ends.
private final class ReplyCollector: Sendable {
    private struct State {
        var text = ""
        var done = false
        var waiter: CheckedContinuation<String?, Never>?

        var line: String? {
            let first = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return first.isEmpty ? nil : first
        }
    }
    private let state = Mutex(State())

    /// The first line read, or nil when none came within `timeout`.
    func firstLine(within timeout: TimeAmount) async -> String? {
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
            self.finish()
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready: String?? = state.withLock { state in
                if state.done { return .some(state.line) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    fileprivate func append(_ bytes: ByteBuffer) {
        let complete = state.withLock { state in
            state.text += String(buffer: bytes)
            return state.text.contains("\n")
        }
        if complete { finish() }
    }

    fileprivate func finish() {
        let (waiter, line) = state.withLock { state -> (CheckedContinuation<String?, Never>?, String?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            defer { state.waiter = nil }
            return (state.waiter, state.line)
        }
        waiter?.resume(returning: line)
    }

    func handler() -> some ChannelInboundHandler { StreamReader(collector: self) }
    func datagramHandler() -> some ChannelInboundHandler { DatagramReader(collector: self) }

    private final class StreamReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let collector: ReplyCollector
        init(collector: ReplyCollector) { self.collector = collector }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { collector.append(unwrapInboundIn(data)) }
        func channelInactive(context: ChannelHandlerContext) { collector.finish() }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent { collector.finish() }
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    private final class DatagramReader: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let collector: ReplyCollector
        init(collector: ReplyCollector) { self.collector = collector }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { collector.append(unwrapInboundIn(data).data) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {}
    }
}
