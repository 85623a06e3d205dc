import KubeModel
import Testing

// IP address text to bytes (certificate SANs) and CIDR matching (the hub's endpoint ownership
// check).

@Suite struct IPAddressBytesTests {
    @Test(arguments: [
        ("127.0.0.1", [127, 0, 0, 1]),
        ("::1", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        ("fd00:10:96::a", [0xfd, 0, 0, 0x10, 0, 0x96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a]),
        ("::ffff:10.0.0.1", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]),
        ("1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
    ] as [(String, [UInt8])])
    func parsesAddresses(text: String, bytes: [UInt8]) {
        #expect(IPAddressBytes.parse(text) == bytes)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "host"])
    func rejectsMalformedAddresses(text: String) {
        #expect(IPAddressBytes.parse(text) == nil)
    }
}

@Suite struct IPNetworkTests {
    @Test(arguments: [
        ("10.1.0.0/16", "10.1.255.7", true),
        ("10.1.0.0/16", "10.2.0.1", false),
        ("10.1.2.3/16", "10.1.0.9", true),  // host bits are cleared, as net.ParseCIDR does
        ("127.11.0.0/16", "127.11.3.4", true),
        ("0.0.0.0/0", "192.0.2.1", true),
        ("192.0.2.7/32", "192.0.2.7", true),
        ("192.0.2.7/32", "192.0.2.8", false),
        ("10.0.0.0/9", "10.127.255.255", true),
        ("10.0.0.0/9", "10.128.0.0", false),
        ("fd00:1::/64", "fd00:1::a", true),
        ("fd00:1::/64", "FD00:0001:0000:0000:0000:0000:0000:000A", true),
        ("fd00:1::/64", "fd00:2::a", false),
        ("10.1.0.0/16", "::ffff:10.1.0.1", false),  // families never mix
        ("::/0", "10.1.0.1", false),
        ("10.1.0.0/16", "not-an-ip", false),
    ])
    func contains(network: String, address: String, expected: Bool) throws {
        let parsed = try #require(IPNetwork(network))
        #expect(parsed.contains(address) == expected)
    }

    @Test(arguments: ["", "10.1.0.0", "10.1.0.0/", "10.1.0.0/33", "10.1.0.0/-1", "10.1.0.0/16/8", "fd00::/129", "host/8", "10.1.0.0/+8", "10.1.0.0/0008"])
    func rejectsMalformedNetworks(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test(arguments: [
        ("10.1.2.3/16", "10.1.0.0/16"),
        ("fd00:0:0:1::/64", "fd00:0:0:1::/64"),
        ("fd00:1:0:0:0:0:0:0/32", "fd00:1::/32"),
        ("0:0:1:0:0:1:0:0/128", "::1:0:0:1:0:0/128"),  // the first of equal runs
        ("::/0", "::/0"),
    ])
    func printsCanonically(text: String, canonical: String) throws {
        #expect(try #require(IPNetwork(text)).description == canonical)
    }

    @Test func parsesAListAndNamesWhatDoesNotParse() {
        let (networks, invalid) = IPNetwork.parseList(" 10.1.0.0/16, fd00:1::/64 ,,bogus, 10.2.0.0/33")
        #expect(networks.map(\.description) == ["10.1.0.0/16", "fd00:1::/64"])
        #expect(invalid == ["bogus", "10.2.0.0/33"])
    }
}
