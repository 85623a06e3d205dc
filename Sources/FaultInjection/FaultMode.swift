// What a `FaultProxy` does to the bytes it relays: the network faults a test can put between a
// client and a server.

/// The fault a `FaultProxy` applies. Changing it affects new connections and, from the next chunk
/// read, open ones; chunks already scheduled keep their release time, so order is always kept.
public enum FaultMode: Sendable, Hashable {
    /// Relay everything as it arrives.
    case pass
    /// Hold every chunk, in both directions, for this long before writing it on: added latency.
    /// Chunks stay pipelined, so throughput does not suffer. Negative durations count as zero.
    case delay(Duration)
    /// Write at most this many bytes per second on, in each direction of each connection,
    /// trickled in slices of about 50 ms' worth. Must be positive.
    case throttle(bytesPerSecond: Int)
    /// A network partition. New connections are accepted but never connected upstream; nothing is
    /// forwarded either way: what is read is dropped, as is what was waiting for its release time.
    /// When the mode changes back, every connection that lost something (bytes, a FIN, a close) or
    /// was opened during the partition is reset on both sides, since its stream has a hole; an
    /// open connection that lost nothing (an idle watch, a pooled keep-alive connection) resumes.
    case blackhole
    /// New connections are reset as soon as they are accepted, as a port nobody listens on would
    /// refuse them; open connections are relayed as with `pass`.
    case refuse
}
