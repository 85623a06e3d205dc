import KubeModel
import Synchronization

/// Faults the ARM-compatible server injects per route (traffic-manager spec §6.5): a fixed error
/// status, throttling with `Retry-After`, or latency, for the next N requests or for all of them,
/// optionally only for one resource name. (A dropped connection is not offered: closing the
/// connection from inside a Hummingbird responder can trap in NIOAsyncWriter, as the embedded
/// API server's notes say; a FaultProxy in front of the server resets connections instead.)
public final class ARMFaults: Sendable {
    public enum Route: String, Sendable, CaseIterable {
        case profileGet, profilePut, profileDelete, endpointPut, endpointDelete, publicIPList, token
    }

    public enum Kind: Sendable, Equatable {
        /// Answers with this status and error code.
        case status(Int, code: String)
        /// 429 `TooManyRequests` with `Retry-After: seconds`.
        case throttled(retryAfterSeconds: Int)
        /// Waits this long, then answers normally.
        case delay(Duration)
        /// Answers with this status and body, leaving the store alone: the partial or odd answers
        /// of the reference's fakes (a profile without `properties`, a PUT answer without `id`).
        case answer(Int, JSONValue)
    }

    public struct Fault: Sendable, Equatable {
        public var kind: Kind
        /// How many requests it hits (then it is gone); nil: every request until cleared.
        public var times: Int?
        /// Only requests for this resource name (case-insensitive); nil: any.
        public var name: String?

        public init(_ kind: Kind, times: Int? = nil, name: String? = nil) {
            self.kind = kind
            self.times = times
            self.name = name
        }
    }

    private let faults = Mutex<[Route: [Fault]]>([:])

    public init() {}

    /// Adds `fault` on `route`; faults of a route apply in the order added.
    public func inject(_ fault: Fault, on route: Route) {
        faults.withLock { $0[route, default: []].append(fault) }
    }

    public func clear(_ route: Route? = nil) {
        faults.withLock { faults in
            if let route { faults[route] = nil } else { faults.removeAll() }
        }
    }

    /// The fault this request meets, if any; counts it against its `times`.
    func take(_ route: Route, name: String?) -> Kind? {
        faults.withLock { faults in
            guard var list = faults[route],
                let index = list.firstIndex(where: { $0.name == nil || $0.name?.lowercased() == name?.lowercased() })
            else { return nil }
            let kind = list[index].kind
            if let times = list[index].times {
                if times <= 1 { list.remove(at: index) } else { list[index].times = times - 1 }
            }
            faults[route] = list.isEmpty ? nil : list
            return kind
        }
    }
}
