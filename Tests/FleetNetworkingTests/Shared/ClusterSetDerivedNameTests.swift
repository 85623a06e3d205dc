@testable import FleetNetworking
import Testing

// The derived Service name must be exactly mcs-api's (tools find the ClusterSetIP Service by it),
// which rests on KubeModel's SHA-256 and our base32hex. Expected values computed with Python's
// hashlib/base64.

struct ClusterSetDerivedNameTests {
    @Test("the derived Service name is mcs-api's: derived- and 10 base32hex characters of the SHA-256 of ns/name")
    func derivedName() {
        #expect(DerivedNames.clusterSetDerivedServiceName(namespace: "mcs-conformance-1", name: "hello") == "derived-ekn3sqmcj3")
        #expect(DerivedNames.clusterSetDerivedServiceName(namespace: "work", name: "app") == "derived-nsnr7s1gsu")
    }

    @Test func base32HexEncodesPartialGroups() {
        #expect(Base32Hex.encode([]) == "")
        #expect(Base32Hex.encode([0xff]) == "vs")
        #expect(Base32Hex.encode(Array("foobar".utf8)) == "cpnmuoj1e8")
    }
}
