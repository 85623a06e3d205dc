import Testing

@testable import KubeModel

@Suite struct ConditionTests {
    let earlier = Time(secondsSinceEpoch: 100)
    let later = Time(secondsSinceEpoch: 200)

    @Test func transitionTimeMovesOnlyWhenStatusChanges() {
        var conditions: [Condition] = []
        let changed1 = conditions.set(Condition(type: "Ready", status: "False", lastTransitionTime: earlier, reason: "Pending", message: ""))
        #expect(changed1)
        let changed2 = conditions.set(Condition(type: "Ready", status: "False", lastTransitionTime: later, reason: "Waiting", message: "m"))
        #expect(changed2)
        #expect(conditions.condition(ofType: "Ready")?.lastTransitionTime == earlier)
        #expect(conditions.condition(ofType: "Ready")?.reason == "Waiting")
        let changed3 = conditions.set(Condition(type: "Ready", status: "False", lastTransitionTime: later, reason: "Waiting", message: "m"))
        #expect(!changed3)
        let changed4 = conditions.set(Condition(type: "Ready", status: "True", observedGeneration: 2, lastTransitionTime: later, reason: "Ok", message: ""))
        #expect(changed4)
        #expect(conditions.condition(ofType: "Ready")?.lastTransitionTime == later)
        #expect(conditions.isTrue("Ready"))
        #expect(conditions.count == 1)
        let changed5 = conditions.remove(type: "Ready")
        #expect(changed5)
        let changed6 = conditions.remove(type: "Ready")
        #expect(!changed6)
    }

    @Test func ownerReferencesPointAtTheOwner() {
        var deployment = Deployment(metadata: ObjectMeta(name: "web", uid: "u-1"))
        deployment.metadata.namespace = "default"
        let reference = OwnerReference(owner: deployment)
        #expect(reference == OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "u-1", controller: true, blockOwnerDeletion: true))
    }
}
