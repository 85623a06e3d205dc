import Foundation
import Synchronization

// A bearer token kept in a file that something else rotates (the kubelet for projected service
// account tokens, a sidecar, a test). client-go re-reads such files once a minute; we look at the
// file's identity (inode, size, modification time) on every request — one stat, no read — and
// re-read when it changed, when a second has passed (a rewrite can keep size and mtime), or when
// the server rejected the token.

/// A token file with change detection.
final class TokenFile: Sendable {
    let path: String
    private let clock = ContinuousClock()
    private let state = Mutex<Cached?>(nil)
    static let rereadInterval: Duration = .seconds(1)

    private struct Signature: Equatable {
        var inode: UInt64
        var size: UInt64
        var modified: Double
    }

    private struct Cached {
        var token: String
        var signature: Signature
        var readAt: ContinuousClock.Instant
    }

    init(path: String) {
        self.path = path
    }

    /// The current token; reads the file when it changed or the cached copy is older than a second.
    func token() throws -> String {
        let signature = try self.signature()
        let now = clock.now
        if let cached = state.withLock({ $0 }), cached.signature == signature, now - cached.readAt < Self.rereadInterval {
            return cached.token
        }
        let token = try read()
        state.withLock { $0 = Cached(token: token, signature: signature, readAt: now) }
        return token
    }

    /// Forgets the cached token, after the server answered 401 to it.
    func invalidate() {
        state.withLock { $0 = nil }
    }

    private func read() throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeClientError(kind: .credentials, message: "token file \(path): cannot read", underlying: error)
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeClientError(kind: .credentials, message: "token file \(path): empty") }
        return token
    }

    private func signature() throws -> Signature {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw KubeClientError(kind: .credentials, message: "token file \(path): cannot read", underlying: error)
        }
        return Signature(
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0,
            size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
    }
}
