import FleetAPI
import Foundation
import KubeModel

// Building and comparing conditions the way the controllers write them.

extension Condition {
    /// A condition observed now for an object at `generation`.
    public static func make(
        type: String, status: String, reason: String, message: String, observedGeneration: Int64?, at now: Date
    ) -> Condition {
        Condition(
            type: type, status: status, observedGeneration: observedGeneration,
            lastTransitionTime: Time(now), reason: reason, message: message)
    }

    /// Equal in everything but the transition time: writing `other` over `self` changes nothing
    /// a reader cares about.
    public func isEquivalent(to other: Condition) -> Bool {
        type == other.type && status == other.status && reason == other.reason && message == other.message
            && observedGeneration == other.observedGeneration
    }
}

extension Optional where Wrapped == [Condition] {
    /// Sets `condition` (keeping the transition time when the status is unchanged); returns whether
    /// anything but the transition time would change.
    @discardableResult
    public mutating func setEquivalent(_ condition: Condition) -> Bool {
        var list = self ?? []
        if let existing = list.condition(ofType: condition.type), existing.isEquivalent(to: condition) {
            return false
        }
        list.set(condition)
        self = list
        return true
    }
}
