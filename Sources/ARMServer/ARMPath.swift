/// The resource a request path names, matched case-insensitively as Azure does (the SDK sends
/// `trafficmanagerprofiles` and `AzureEndpoints`, Azure answers `trafficManagerProfiles` and
/// `azureEndpoints`); names are percent-decoded (`#` in endpoint names arrives as `%23`).
enum ARMPath: Equatable {
    case profile(subscription: String, group: String, profile: String)
    case endpoint(subscription: String, group: String, profile: String, endpoint: String)
    case publicIPs(subscription: String, group: String)

    init?(_ path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { Self.decode(String($0)) }
        func matches(_ index: Int, _ literal: String) -> Bool {
            index < segments.count && segments[index].lowercased() == literal.lowercased()
        }
        guard segments.count >= 6, matches(0, "subscriptions"), matches(2, "resourceGroups"), matches(4, "providers"),
            matches(5, "Microsoft.Network")
        else { return nil }
        let subscription = segments[1]
        let group = segments[3]
        switch segments.count {
        case 7 where matches(6, "publicIPAddresses"):
            self = .publicIPs(subscription: subscription, group: group)
        case 8 where matches(6, "trafficManagerProfiles"):
            self = .profile(subscription: subscription, group: group, profile: segments[7])
        case 10 where matches(6, "trafficManagerProfiles") && matches(8, "AzureEndpoints"):
            self = .endpoint(subscription: subscription, group: group, profile: segments[7], endpoint: segments[9])
        default:
            return nil
        }
    }

    /// The subscription and resource group of a resource id
    /// (`/subscriptions/<s>/resourceGroups/<g>/…`).
    static func resourceGroup(of id: String) -> (subscription: String, group: String)? {
        let segments = id.split(separator: "/").map { decode(String($0)) }
        guard segments.count >= 4, segments[0].lowercased() == "subscriptions", segments[2].lowercased() == "resourcegroups" else {
            return nil
        }
        return (segments[1], segments[3])
    }

    /// Percent-decoding of one path segment; a malformed escape is kept as it is.
    static func decode(_ segment: String) -> String {
        guard segment.contains("%") else { return segment }
        var bytes: [UInt8] = []
        var utf8 = Array(segment.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
