// Counters of a FaultProxy, for tests to check what went through.

/// A snapshot of a `FaultProxy`'s counters.
public struct FaultProxyStatistics: Sendable, Hashable {
    /// Connections the listener accepted since the start, refused ones included.
    public var acceptedConnections: Int
    /// Connections reset at once because the mode was `.refuse`.
    public var refusedConnections: Int
    /// Relayed connections with a socket still open.
    public var openConnections: Int
    /// Bytes written to upstreams (client to server).
    public var bytesToUpstream: Int
    /// Bytes written to clients (server to client).
    public var bytesToClient: Int
}
