@testable import FleetNetworking
import Testing

// The derived Service name must be exactly mcs-api's (tools find the ClusterSetIP Service by it),
// which rests on our SHA-256 and base32hex. Expected values computed with Python's hashlib/base64.

struct ClusterSetDerivedNameTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test("SHA-256 matches the standard's vectors, across block boundaries", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("mcs-conformance-1/hello", "752e3e6acc98e9dc66c97ea6dd23811e3b8396e5aa72a05b0e2a804fe9c42ecb"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func sha256(input: String, expected: String) {
        #expect(Self.hex(SHA256.digest(Array(input.utf8))) == expected)
    }

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
