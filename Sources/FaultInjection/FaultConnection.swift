import Logging
import NIOCore
import NIOPosix

// One connection through a FaultProxy: the client's socket, accepted by the proxy, and the
// proxy's socket to the upstream, both on the client socket's event loop, with a RelayQueue each
// way. Everything here runs on that event loop; the proxy reaches it through the registry.

/// A relayed connection under the proxy's fault mode.
///
/// - Each chunk read from one side is queued for the other with the release time(s) the mode
///   gives it, and written when they come; a FIN (half-close) is passed on in order behind the
///   bytes, and a socket whose input and output have both ended is closed. A side that closes
///   (or fails) gets its partner closed once what is queued for the partner has been written.
/// - Back-pressure: a side is read only while its partner is writable and fewer than
///   `RelayQueue.highWaterMark` bytes wait for it, so a slow reader or a throttle slows the
///   sender down instead of filling memory.
/// - Partitions (`.blackhole`): see `FaultMode.blackhole`. The connection notices mode changes on
///   its next event and when the proxy tells it (`modeChanged()`).
final class FaultConnection {
    enum Side {
        case client, upstream

        var other: Side { self == .client ? .upstream : .client }
    }

    /// One socket, and what waits to be written to it.
    private struct Endpoint {
        var handler: FaultRelayHandler?
        var isActive = false
        var isClosed = false
        var inputEnded = false
        var outputEnded = false
        /// A read was held back and is owed once the partner can take more.
        var readPending = false
        var queue = RelayQueue()
        /// Fires at the release time of `queue`'s first item.
        var timer: Scheduled<Void>?
    }

    private enum UpstreamSocket {
        /// Never connected (opened during a partition), failed, or closed.
        case none
        case connecting
        case open
    }

    /// A partition as this connection lives it.
    private struct Partition {
        var openedDuring: Bool
        /// Something (bytes, a FIN, a close) was dropped: the stream has a hole.
        var lostSomething: Bool
    }

    private enum Teardown {
        case close, reset
    }

    let id: Int
    let eventLoop: any EventLoop
    private let state: FaultProxyState
    private let logger: Logger
    private let closedPromise: EventLoopPromise<Void>

    private var client = Endpoint()
    private var upstream = Endpoint()
    private var upstreamSocket = UpstreamSocket.none
    private var isClientClosed = false
    private var partition: Partition?
    private var teardown: Teardown?
    private var isFinished = false

    /// Succeeds once both sockets are closed.
    var closed: EventLoopFuture<Void> { closedPromise.futureResult }

    init(id: Int, clientChannel: any Channel, state: FaultProxyState, logger: Logger) {
        self.id = id
        self.eventLoop = clientChannel.eventLoop
        self.state = state
        var logger = logger
        logger[metadataKey: "connection"] = "\(id)"
        self.logger = logger
        closedPromise = clientChannel.eventLoop.makePromise()
        clientChannel.closeFuture.assumeIsolated().whenComplete { _ in
            self.isClientClosed = true
            self.finishIfDone()
        }
    }

    /// Starts relaying under `mode` once the client's handler is in place: connects upstream,
    /// unless a partition is on.
    func start(mode: FaultMode) {
        if mode == .blackhole {
            partition = Partition(openedDuring: true, lostSomething: false)
            logger.debug("fault proxy: connection accepted during a partition; not connecting upstream")
        } else {
            connectUpstream()
        }
    }

    // MARK: Commands from the proxy

    /// Looks at the proxy's mode again (it changed).
    func modeChanged() {
        guard teardown == nil else { return }
        observe(state.mode)
    }

    /// Aborts both sockets with a TCP RST, dropping what is queued.
    func reset() {
        tearDown(.reset)
    }

    /// Closes both sockets, dropping what is queued.
    func close() {
        tearDown(.close)
    }

    // MARK: Events from the handlers

    func attach(_ handler: FaultRelayHandler, side: Side) {
        withEndpoint(side) { $0.handler = handler }
        if let teardown {
            if teardown == .reset { handler.reset() } else { handler.close() }
        } else if handler.isActive {
            activated(side)
        }
    }

    func activated(_ side: Side) {
        guard !endpoint(side).isActive else { return }
        withEndpoint(side) { $0.isActive = true }
        deliverDue(to: side)
    }

    func received(_ buffer: ByteBuffer, from side: Side) {
        guard let mode = currentMode() else { return }
        if partition != nil {
            partition?.lostSomething = true
            return
        }
        let destination = side.other
        guard !endpoint(destination).isClosed, !endpoint(destination).outputEnded else { return }
        _ = withEndpoint(destination) { $0.queue.append(buffer, mode: mode, now: .now()) }
        deliverDue(to: destination)
    }

    func inputEnded(_ side: Side) {
        withEndpoint(side) { $0.inputEnded = true }
        passOnEndOfStream(from: side)
        // Both directions of this socket are done (its FIN has just been queued for the partner,
        // ahead of the close that closing it queues).
        if endpoint(side).outputEnded { endpoint(side).handler?.close(afterWrites: .all) }
    }

    private func passOnEndOfStream(from side: Side) {
        guard let mode = currentMode() else { return }
        if partition != nil {
            partition?.lostSomething = true
            return
        }
        let destination = side.other
        guard !endpoint(destination).isClosed else { return }
        _ = withEndpoint(destination) { $0.queue.appendEnd(.endOfStream, mode: mode, now: .now()) }
        deliverDue(to: destination)
    }

    func closed(_ side: Side) {
        withEndpoint(side) { endpoint in
            endpoint.isClosed = true
            endpoint.isActive = false
            endpoint.handler = nil
            _ = endpoint.queue.removeAll()
            endpoint.timer?.cancel()
            endpoint.timer = nil
        }
        guard let mode = currentMode() else { return }
        let destination = side.other
        guard !endpoint(destination).isClosed, destination == .client || upstreamSocket != .none else { return }
        if partition != nil {
            partition?.lostSomething = true
            return
        }
        _ = withEndpoint(destination) { $0.queue.appendEnd(.close, mode: mode, now: .now()) }
        deliverDue(to: destination)
    }

    func becameWritable(_ side: Side) {
        resumeReading(from: side.other)
    }

    /// Whether the handler of `side` may read now; if not, the read is owed and asked for later.
    func allowsRead(from side: Side) -> Bool {
        if mayRead(from: side) { return true }
        withEndpoint(side) { $0.readPending = true }
        return false
    }

    // MARK: Relaying

    private func mayRead(from side: Side) -> Bool {
        if teardown != nil { return false }
        // A partition drops what is read, so there is nothing to hold back.
        if partition != nil { return true }
        let destination = endpoint(side.other)
        if destination.isClosed || destination.outputEnded { return true }
        if destination.queue.queuedBytes >= RelayQueue.highWaterMark { return false }
        if destination.isActive, let handler = destination.handler, !handler.isWritable { return false }
        return true
    }

    private func resumeReading(from side: Side) {
        guard endpoint(side).readPending, mayRead(from: side) else { return }
        withEndpoint(side) { $0.readPending = false }
        endpoint(side).handler?.read()
    }

    /// Writes what is due to `side`, and arms the timer for what comes next.
    private func deliverDue(to side: Side) {
        guard let handler = endpoint(side).handler, endpoint(side).isActive else { return }
        withEndpoint(side) { endpoint in
            endpoint.timer?.cancel()
            endpoint.timer = nil
        }
        let now = NIODeadline.now()
        var needsFlush = false
        while let item = withEndpoint(side, { $0.queue.popDue(now: now) }) {
            switch item {
            case .bytes(let buffer):
                handler.write(buffer)
                count(buffer.readableBytes, toward: side)
                needsFlush = true
            case .endOfStream:
                handler.flush()
                needsFlush = false
                shutDownOutput(of: side, handler: handler)
            case .close:
                handler.flush()
                needsFlush = false
                handler.close(afterWrites: .all)
            }
        }
        if needsFlush { handler.flush() }
        if let next = endpoint(side).queue.nextRelease, !endpoint(side).isClosed {
            let timer = eventLoop.assumeIsolated().scheduleTask(deadline: next) {
                self.withEndpoint(side) { $0.timer = nil }
                self.deliverDue(to: side)
            }
            withEndpoint(side) { $0.timer = timer }
        }
        resumeReading(from: side.other)
    }

    private func shutDownOutput(of side: Side, handler: FaultRelayHandler) {
        withEndpoint(side) { $0.outputEnded = true }
        handler.close(afterWrites: endpoint(side).inputEnded ? .all : .output)
    }

    private func count(_ byteCount: Int, toward side: Side) {
        switch side {
        case .upstream: state.bytesToUpstream.add(byteCount, ordering: .relaxed)
        case .client: state.bytesToClient.add(byteCount, ordering: .relaxed)
        }
    }

    // MARK: Mode and partitions

    /// The proxy's mode, with any partition start or end it implies carried out; nil when the
    /// connection is being torn down (possibly by the end of a partition) and must not relay.
    private func currentMode() -> FaultMode? {
        guard teardown == nil, !isFinished else { return nil }
        let mode = state.mode
        observe(mode)
        return teardown == nil ? mode : nil
    }

    private func observe(_ mode: FaultMode) {
        if mode == .blackhole {
            guard partition == nil else { return }
            // Packets in flight are lost too.
            let lostToClient = withEndpoint(.client) { dropQueue(of: &$0) }
            let lostToUpstream = withEndpoint(.upstream) { dropQueue(of: &$0) }
            partition = Partition(openedDuring: false, lostSomething: lostToClient || lostToUpstream)
            resumeReading(from: .client)
            resumeReading(from: .upstream)
        } else if let ended = partition {
            partition = nil
            if ended.openedDuring || ended.lostSomething {
                logger.debug("fault proxy: partition healed; resetting a connection that lost data or was opened during it")
                tearDown(.reset)
            }
        }
    }

    private func dropQueue(of endpoint: inout Endpoint) -> Bool {
        endpoint.timer?.cancel()
        endpoint.timer = nil
        return endpoint.queue.removeAll()
    }

    // MARK: Upstream and lifecycle

    private func connectUpstream() {
        let target = state.upstream
        upstreamSocket = .connecting
        let connection = NIOLoopBound(self, eventLoop: eventLoop)
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(10))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FaultRelayHandler(connection: connection.value, side: .upstream))
                }
            }
            .connect(host: target.host, port: target.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.upstreamSocket = .open
                    channel.closeFuture.assumeIsolated().whenComplete { _ in
                        self.upstreamSocket = .none
                        self.finishIfDone()
                    }
                case .failure(let error):
                    self.upstreamSocket = .none
                    guard self.teardown == nil else {
                        self.finishIfDone()
                        return
                    }
                    self.logger.debug(
                        "fault proxy: cannot connect upstream; resetting the client",
                        metadata: ["upstream": "\(target.host):\(target.port)", "error": "\(error)"])
                    self.tearDown(.reset)
                    self.finishIfDone()
                }
            }
    }

    private func tearDown(_ how: Teardown) {
        if teardown != .reset { teardown = how }
        for side in [Side.client, .upstream] {
            let handler = withEndpoint(side) { endpoint -> FaultRelayHandler? in
                _ = dropQueue(of: &endpoint)
                return endpoint.isClosed ? nil : endpoint.handler
            }
            guard let handler else { continue }
            if teardown == .reset { handler.reset() } else { handler.close() }
        }
    }

    private func finishIfDone() {
        guard !isFinished, isClientClosed, upstreamSocket == .none else { return }
        isFinished = true
        _ = withEndpoint(.client) { dropQueue(of: &$0) }
        _ = withEndpoint(.upstream) { dropQueue(of: &$0) }
        state.remove(id: id)
        closedPromise.succeed()
    }

    // MARK: Endpoint access

    private func endpoint(_ side: Side) -> Endpoint {
        switch side {
        case .client: client
        case .upstream: upstream
        }
    }

    private func withEndpoint<Result>(_ side: Side, _ body: (inout Endpoint) -> Result) -> Result {
        switch side {
        case .client: body(&client)
        case .upstream: body(&upstream)
        }
    }
}
