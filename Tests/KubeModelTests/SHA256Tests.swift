import KubeModel
import Testing

// SHA-256 against the standard's vectors and values computed with Python's hashlib.

struct SHA256Tests {
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
}
