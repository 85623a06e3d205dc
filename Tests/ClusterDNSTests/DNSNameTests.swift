import ClusterDNS
import Testing

struct DNSNameTests {
    @Test(
        "valid names: plain, with a final dot, the root, service labels, 63-octet labels, 253 characters",
        arguments: [
            "example", "www.example.com", "www.example.com.", "", ".", "_http._tcp.example", "a\\.b.example", "a\\000b",
            String(repeating: "a", count: 63) + ".example",
            Array(repeating: String(repeating: "a", count: 62), count: 4).joined(separator: ".") + ".a",
        ])
    func validNames(_ name: String) {
        #expect(DNSName.isValid(name))
    }

    @Test(
        "invalid names: empty labels, a 64-octet label, over 253 characters, broken escapes",
        arguments: [
            "a..b", ".a", "a..", String(repeating: "a", count: 64) + ".example",
            Array(repeating: String(repeating: "a", count: 62), count: 4).joined(separator: ".") + ".ab",
            "a\\", "a\\25", "a\\256",
        ])
    func invalidNames(_ name: String) {
        #expect(!DNSName.isValid(name))
    }

    @Test("a name with a dot, a backslash and a control byte in labels comes back in the same escaped form")
    func escapedLabelsRoundTrip() throws {
        let name = "a\\.b\\\\c\\000.example"
        let message = DNSMessage.query(id: 1, name: name, type: .a)
        let parsed = try DNSMessage.parse(message.serialized())
        #expect(parsed.questions.first?.name == name)
        // On the wire: one label of 6 octets, "a.b\c" and a NUL, then "example".
        let bytes = message.serialized()
        #expect(Array(bytes[12..<20]) == [6, 0x61, 0x2E, 0x62, 0x5C, 0x63, 0x00, 7])
    }

    @Test("parsing lower-cases names; writing keeps the case it is given")
    func caseOnParseAndWrite() throws {
        let bytes = DNSMessage.query(id: 1, name: "WwW.Example.COM", type: .a).serialized()
        #expect(bytes[13] == UInt8(ascii: "W"))
        #expect(try DNSMessage.parse(bytes).questions.first?.name == "www.example.com")
    }
}

struct IPAddressTextTests {
    @Test("IPv4 text and bytes", arguments: [("0.0.0.0", [0, 0, 0, 0]), ("192.0.2.1", [192, 0, 2, 1]), ("255.255.255.255", [255, 255, 255, 255])])
    func ipv4(_ text: String, _ bytes: [UInt8]) {
        #expect(IPAddressText.ipv4Bytes(text) == bytes)
        #expect(IPAddressText.ipv4Text(bytes) == text)
    }

    @Test(
        "malformed IPv4 text is rejected",
        arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..3.4", "a.b.c.d", "1.2.3.4 ", "-1.2.3.4", "::1"])
    func malformedIPv4(_ text: String) {
        #expect(IPAddressText.ipv4Bytes(text) == nil)
    }

    @Test(
        "IPv6 text is read in any form and written in RFC 5952 canonical form",
        arguments: [
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("2001:db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("fe80::1:2", "fe80::1:2"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
            ("::ffff:c000:0201", "::ffff:192.0.2.1"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ])
    func ipv6Canonical(_ text: String, _ canonical: String) {
        #expect(IPAddressText.canonicalIPv6(text) == canonical)
    }

    @Test(
        "malformed IPv6 text is rejected",
        arguments: [
            "", ":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", "1.2.3.4", "::1.2.3",
            "1:2:3:4:5:6:7:8::", "fe80::1%eth0", "2001:db8::/32", "1.2.3.4::",
        ])
    func malformedIPv6(_ text: String) {
        #expect(IPAddressText.ipv6Bytes(text) == nil)
    }
}
