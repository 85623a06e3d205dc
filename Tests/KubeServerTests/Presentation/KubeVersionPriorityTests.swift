import Foundation
import Testing
@testable import KubeServer

@Suite("Kubernetes version priority")
struct KubeVersionPriorityTests {
    @Test("sorts like version.CompareKubeAwareVersionStrings")
    func kubernetesOrder() {
        let shuffled = ["foo10", "v1", "v11alpha2", "v3beta1", "v2", "foo1", "v10beta3", "v12alpha1", "v10", "v11beta2"]
        #expect(KubeVersionPriority.sorted(shuffled)
            == ["v10", "v2", "v1", "v11beta2", "v10beta3", "v3beta1", "v12alpha1", "v11alpha2", "foo1", "foo10"])
    }

    @Test("preferred version among served versions", arguments: [
        (["v1alpha1", "v1beta1", "v1"], "v1"),
        (["v1beta1", "v1beta2"], "v1beta2"),
        (["v1alpha1", "v1beta1"], "v1beta1"),
        (["v2alpha1", "v1beta1"], "v1beta1"),
        (["v1", "v2"], "v2"),
        (["custom", "v1alpha1"], "v1alpha1"),
        (["v01", "beta"], "beta"),
    ])
    func preferred(versions: [String], expected: String) {
        #expect(KubeVersionPriority.preferred(of: versions) == expected)
    }
}

@Suite("SHA-256")
struct ContentDigestTests {
    @Test("matches the FIPS 180-2 test vectors", arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func vectors(input: String, hex: String) {
        let digest = ContentDigest.sha256(Array(input.utf8))
        #expect(digest.map { String(format: "%02x", $0) }.joined() == hex)
    }
}
