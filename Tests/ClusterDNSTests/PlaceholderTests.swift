import ClusterDNS
import Testing

// Replaced by the wire, server and client tests.
struct PlaceholderTests {}
