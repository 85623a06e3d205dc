import FleetNetworking
import Testing

// The leader-election identity: the pod's name when there is one (so a restarted container takes
// its own lease back at once), unique per process otherwise (processes on one machine share a
// hostname and must not share a lease holder).

@Suite struct LeaderElectionIdentityTests {
    @Test func thePodNameIsTheIdentity() {
        let identity = defaultLeaderElectionIdentity(
            environment: ["POD_NAME": "mcs-controller-manager-5c8d-x2k4q", "KUBERNETES_SERVICE_HOST": "10.0.0.1"], hostName: "node-1")
        #expect(identity == "mcs-controller-manager-5c8d-x2k4q")
        #expect(defaultLeaderElectionIdentity(environment: ["POD_NAME": "p"], hostName: "h") == "p")
    }

    @Test func inAPodWithoutPodNameTheHostnameIsThePodsName() {
        #expect(defaultLeaderElectionIdentity(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"], hostName: "hub-7f-abc") == "hub-7f-abc")
        #expect(defaultLeaderElectionIdentity(environment: ["POD_NAME": "", "KUBERNETES_SERVICE_HOST": "10.0.0.1"], hostName: "h") == "h")
    }

    @Test func outsideAPodEveryProcessIsUnique() {
        let first = defaultLeaderElectionIdentity(environment: [:], hostName: "laptop")
        let second = defaultLeaderElectionIdentity(environment: [:], hostName: "laptop")
        #expect(first.hasPrefix("laptop_"))
        #expect(first != second)
    }
}
