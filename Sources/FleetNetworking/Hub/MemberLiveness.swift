import FleetAPI
import Foundation
import KubeModel
import Synchronization

// Whether a member is alive, from its member-net agent's heartbeat.
//
// The member-net agent (`ServiceExportImportAgent`) writes `lastReceivedHeartbeat` into its
// InternalMemberCluster every `heartbeatPeriodSeconds` (default 60). A member whose agent has
// not heartbeaten for `missedHeartbeats` periods (3: two beats may be lost or late) is dead: its
// exported endpoints are withdrawn from every importer — whatever killed it (process, node or
// network) — and restored when it heartbeats again. A member without a heartbeat on record
// (not joined yet, or an agent older than heartbeats) counts as alive: nothing changes for it.
// A member told to leave (InternalMemberCluster `spec.state: Leave`) is withdrawn at once: its
// agent withdraws its exports itself when it is alive, and the hub must not wait for an agent that
// may be dead to do so.

/// The hub's view of which members are dead.
public final class MemberLiveness: Sendable {
    /// Heartbeat periods without a heartbeat after which a member is dead.
    public static let missedHeartbeats = 3

    private let dead = Mutex<Set<String>>([])

    public init() {}

    /// Whether `member`'s endpoints are withdrawn.
    public func isDead(_ member: String) -> Bool {
        dead.withLock { $0.contains(member) }
    }

    /// Records `member`'s state; returns whether it changed.
    func set(_ member: String, dead isDead: Bool) -> Bool {
        dead.withLock { dead in
            isDead ? dead.insert(member).inserted : dead.remove(member) != nil
        }
    }

    /// The state of one member at `now`.
    public enum State: Equatable, Sendable {
        /// Alive; dead at `deadline` unless it heartbeats again before.
        case alive(deadline: Date)
        /// Its last heartbeat was at `since`.
        case dead(lastHeartbeat: Date)
        /// No heartbeat on record: treated as alive.
        case unknown
        /// Told to leave the fleet: withdrawn whatever its heartbeat.
        case leaving

        /// Whether the member's endpoints are withdrawn.
        public var isWithdrawn: Bool {
            switch self {
            case .dead, .leaving: true
            case .alive, .unknown: false
            }
        }
    }

    /// The state of the member of `imc` at `now`, from its member-net agent's heartbeat.
    public static func state(of imc: InternalMemberCluster, at now: Date) -> State {
        if imc.spec.state == InternalMemberClusterSpec.leave { return .leaving }
        guard
            let beat = imc.status?.agentStatus?.first(where: { $0.type == AgentTypes.serviceExportImportAgent })?
                .lastReceivedHeartbeat
        else { return .unknown }
        let last = beat.date
        let period = TimeInterval(max(1, imc.spec.heartbeatPeriodSeconds ?? 60))
        let deadline = last.addingTimeInterval(period * TimeInterval(missedHeartbeats))
        return now < deadline ? .alive(deadline: deadline) : .dead(lastHeartbeat: last)
    }
}
