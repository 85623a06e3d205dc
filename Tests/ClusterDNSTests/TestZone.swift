import ClusterDNS
import Logging
import Synchronization

// The zone the server tests ask about, and a handler that answers from it as an authoritative
// server would: records, NODATA and NXDOMAIN with the zone's SOA, REFUSED outside the zone.

enum TestZone {
    static let origin = "test.example"
    static let ttl: UInt32 = 30
    /// Enough A records (40 octets or so each) that their answer does not fit 512 bytes.
    static let bigCount = 100

    static let soa = DNSResourceRecord.soa(
        name: origin, mname: "ns.\(origin)", rname: "hostmaster.\(origin)", serial: 7, refresh: 7200, retry: 1800,
        expire: 86400, minimum: 30, ttl: ttl)

    static let records: [DNSResourceRecord] = [
        .a(name: "www.\(origin)", address: "192.0.2.1", ttl: ttl),
        .aaaa(name: "www.\(origin)", address: "2001:db8::1", ttl: ttl),
        .srv(name: "_http._tcp.\(origin)", priority: 10, weight: 5, port: 8080, target: "www.\(origin)", ttl: ttl),
        .txt(name: "txt.\(origin)", strings: ["hello", "wörld"], ttl: ttl),
        .cname(name: "alias.\(origin)", target: "www.\(origin)", ttl: ttl),
    ] + (1...bigCount).map { .a(name: "big.\(origin)", address: "10.0.\($0 / 256).\($0 % 256)", ttl: ttl) }

    static func answer(_ question: DNSQuestion) -> DNSAnswer {
        let name = question.name
        guard name == origin || name.hasSuffix("." + origin) else { return .refused }
        if name == "broken.\(origin)" {
            return .records([.a(name: name, address: "not-an-address", ttl: ttl)])
        }
        let owned = records.filter { $0.name == name }
        guard !owned.isEmpty else { return .nameError(authority: soa) }
        let matching = owned.filter { question.type == .any || $0.type == question.type }
        return matching.isEmpty ? .noData(authority: soa) : .records(matching)
    }
}

/// Answers from `TestZone` and counts the questions it is asked.
struct TestZoneHandler: DNSQueryHandler {
    let questions = QuestionLog()

    func answer(_ question: DNSQuestion, from client: String?) async -> DNSAnswer {
        questions.record(question)
        return TestZone.answer(question)
    }
}

final class QuestionLog: Sendable {
    private let asked = Mutex<[DNSQuestion]>([])

    func record(_ question: DNSQuestion) {
        asked.withLock { $0.append(question) }
    }

    var all: [DNSQuestion] { asked.withLock { $0 } }
    var count: Int { asked.withLock { $0.count } }
}

/// Runs `body` with a server for `TestZone` on 127.0.0.1 and a free port, stopping it afterwards.
func withTestServer(
    configuration: DNSServer.Configuration = .patient,
    _ body: (DNSServer, TestZoneHandler) async throws -> Void
) async throws {
    let handler = TestZoneHandler()
    var logger = Logger(label: "ClusterDNSTests")
    logger.logLevel = .critical
    let server = try await DNSServer.start(host: "127.0.0.1", port: 0, handler: handler, logger: logger, configuration: configuration)
    do {
        try await body(server, handler)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

extension DNSServer.Configuration {
    /// The defaults with a 60 s idle timeout: on a loaded machine a test's client can be held off
    /// the CPU between its connect and its first write for longer than the default 5 s, and the
    /// server would close the connection under it. Tests of the idle timeout set their own.
    static var patient: DNSServer.Configuration {
        var configuration = DNSServer.Configuration()
        configuration.idleTimeout = .seconds(60)
        return configuration
    }
}
