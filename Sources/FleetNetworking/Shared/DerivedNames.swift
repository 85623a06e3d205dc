import KubeModel

// Names of objects derived from a namespace and a name (spec §6.5), without the reference's
// collisions and overflows (its weakness §9.7): `<namespace>-<name>` is kept when it is a valid
// name of the required format and its split is unambiguous; otherwise the name is truncated and
// suffixed with a hash of `namespace/name`, so different sources never share a derived name and
// the result always fits.
//
// `<namespace>-<name>` is unambiguous when the namespace has no '-': the first '-' then separates
// the two parts, so no other (namespace, name) pair yields the same plain name. (A namespace
// with a '-', such as `team-a`, could collide: `team-a/web` and `team/a-web` are both
// `team-a-web`.)

public enum DerivedNames {
    /// The maximum length of a DNS-1035/1123 label (Service names).
    public static let labelLength = 63

    /// The name of the hub InternalServiceExport / InternalServiceImport for a member object
    /// `namespace/name` (CR names: DNS-1123 subdomains, so only ambiguity matters).
    public static func hubObjectName(namespace: String, name: String) -> String {
        derived(namespace: namespace, name: name, maxLength: 253, requireLetterStart: false)
    }

    /// The name of the derived Service of MultiClusterService `namespace/name` in fleet-system:
    /// a DNS-1035 label (starts with a letter, at most 63 characters).
    public static func derivedServiceName(namespace: String, name: String) -> String {
        derived(namespace: namespace, name: name, maxLength: labelLength, requireLetterStart: true)
    }

    /// The name of the hub EndpointSliceExport of member EndpointSlice `namespace/name` exported
    /// by `cluster`: `<cluster>-<namespace>-<name>` cut to fit a DNS-1123 subdomain, then `-` and
    /// the hash of `<cluster>/<namespace>/<name>`. Deterministic, so the member EndpointSlice
    /// needs no annotation to remember it (the reference's random `fleet-unique-name`, §9.26).
    public static func endpointSliceExportName(cluster: String, namespace: String, name: String) -> String {
        let hash = hexHash("\(cluster)/\(namespace)/\(name)")
        var prefix = String("\(cluster)-\(namespace)-\(name)".lowercased().prefix(253 - hash.count - 1))
        // Whatever the cut leaves at the end must let `-<hash>` follow (labels end alphanumeric).
        while let last = prefix.last, last == "-" || last == "." { prefix.removeLast() }
        return prefix.isEmpty ? hash : "\(prefix)-\(hash)"
    }

    /// The name of the derived ClusterIP Service that gives a `multicluster.x-k8s.io` ServiceImport
    /// `namespace/name` its ClusterSetIP, in the import's namespace: mcs-api's scheme,
    /// `derived-` and the first 10 characters of the lower-case base32hex SHA-256 of
    /// `<namespace>/<name>`, so tools that know the scheme find it.
    public static func clusterSetDerivedServiceName(namespace: String, name: String) -> String {
        "derived-" + Base32Hex.encode(SHA256.digest(Array("\(namespace)/\(name)".utf8))).prefix(10)
    }

    static func derived(namespace: String, name: String, maxLength: Int, requireLetterStart: Bool) -> String {
        let plain = "\(namespace)-\(name)"
        let startsWell = !requireLetterStart || plain.first.map { $0.isASCII && $0.isLetter } == true
        if !namespace.contains("-"), !plain.contains("."), plain.count <= maxLength, startsWell {
            return plain
        }
        let hash = hexHash("\(namespace)/\(name)")
        // Room for `<ns>-<name>-<hash>` with both parts cut to the same length.
        let room = (maxLength - hash.count - 2) / 2
        let cut = { (part: String) -> String in
            var value = String(part.replacingOccurrences(of: ".", with: "-").prefix(room))
            while value.hasSuffix("-") { value.removeLast() }
            return value
        }
        var result = "\(cut(namespace))-\(cut(name))-\(hash)"
        while result.hasPrefix("-") { result.removeFirst() }
        if requireLetterStart, result.first.map({ $0.isASCII && $0.isLetter }) != true {
            result = "x" + result.prefix(maxLength - 1)
        }
        return result
    }

    /// 10 hex digits of the 64-bit FNV-1a hash of `text`: stable across processes and releases.
    public static func hexHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(10))
    }
}
