import FleetAPI
import Foundation
import KubeClient
import KubeModel

// How the demos (the getting-started tutorial, the east-west walk) run: a list of steps, each
// retried until it observes what the guide tells the user to look for (or its time is up),
// reported as it ends with what it saw and how long it took; the first step that does not hold
// ends the run.

public enum DemoSteps {
    /// One step's outcome.
    public struct Step: Sendable {
        public var title: String
        public var observed: [String]
        public var duration: Duration
        public var held: Bool
    }

    /// A step: its title, and a body returning what it observed, or nil while it has not.
    typealias Body = () async throws -> [String]?

    /// Runs `steps` in order; returns whether all held.
    static func run(_ steps: [(String, Body)], timeout: Duration, report: @Sendable (Step) -> Void) async -> Bool {
        for (title, body) in steps {
            let started = ContinuousClock.now
            var observed: [String]?
            var failure: String?
            while ContinuousClock.now - started < timeout {
                do {
                    observed = try await body()
                    failure = nil
                } catch {
                    failure = "\(error)"
                }
                if observed != nil { break }
                try? await Task.sleep(for: .milliseconds(20))
            }
            let held = observed != nil
            report(Step(
                title: title, observed: observed ?? ["not observed within \(timeout)" + (failure.map { ": \($0)" } ?? "")],
                duration: ContinuousClock.now - started, held: held))
            if !held { return false }
        }
        return true
    }

    static func createIfMissing<K: Resource>(_ api: ResourceAPI<K>, _ object: K) async throws {
        do {
            _ = try await api.create(object)
        } catch let error as KubeClientError where error.isAlreadyExists {}
    }

    /// `times` HTTP GETs of the echo app, each on a new connection (as a browser refresh or `curl`
    /// does); the JSON answers.
    static func curl(ip: String, port: Int, times: Int) async throws -> [[String: String]] {
        var answers: [[String: String]] = []
        for _ in 0..<times {
            let body = try await HTTPGet.fetch(host: ip, port: port)
            if let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: String] {
                answers.append(object)
            }
        }
        return answers
    }
}
