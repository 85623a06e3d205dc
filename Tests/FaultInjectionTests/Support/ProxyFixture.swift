import FaultInjection
import Logging

// Starting an echo server with a FaultProxy in front of it, and stopping both whatever the test
// does.

enum ProxyFixture {
    static let quiet: Logger = {
        var logger = Logger(label: "fault-injection-test")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `body` with an echo server (a sink when `reads` is false) and a proxy in front of it.
    static func withEchoBehindProxy<T>(
        reads: Bool = true, _ body: (EchoServer, FaultProxy) async throws -> T
    ) async throws -> T {
        let echo = try await EchoServer.start(reads: reads)
        let proxy: FaultProxy
        do {
            proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: echo.port, logger: quiet)
        } catch {
            await echo.stop()
            throw error
        }
        do {
            let value = try await body(echo, proxy)
            await proxy.stop()
            await echo.stop()
            return value
        } catch {
            await proxy.stop()
            await echo.stop()
            throw error
        }
    }
}
