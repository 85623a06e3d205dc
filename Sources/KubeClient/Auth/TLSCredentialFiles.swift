import Foundation
import NIOSSL
import Synchronization

// Certificate files named by a kubeconfig (CA, client certificate, client key) that something
// else rotates (cert-manager, a kubelet-style rotation, a test). As with the token file we look at
// each file's identity (inode, size, modification time) — at most once a second, three stats and no
// read — and read the files again only when one changed. A new TLS configuration is built only when
// the content differs; requests then carry it, so the connection pool (keyed by TLS configuration)
// opens new connections with the new credentials while the old ones idle out.
//
// A half-rotated pair (new certificate, old key) or an unparsable file is not fatal: the previous
// configuration stays in use, and since the signatures are taken before reading, the second write
// of a rotation is seen at the next check.

/// The TLS configuration of a client whose certificate material comes from files.
final class TLSCredentialFiles: Sendable {
    static let checkInterval: Duration = .seconds(1)

    private struct Signature: Equatable {
        var inode: UInt64
        var size: UInt64
        var modified: Double
    }

    private struct Material: Equatable {
        var certificateAuthorityPEM: [UInt8]?
        var clientCertificatePEM: [UInt8]?
        var clientKeyPEM: [UInt8]?
    }

    private struct State {
        var configuration: TLSConfiguration
        var material: Material
        var signatures: [Signature?]
        var checkedAt: ContinuousClock.Instant
    }

    private let settings: ClientConfiguration.TLSSettings
    private let paths: [String?]
    private let clock = ContinuousClock()
    private let state: Mutex<State>

    /// `initial` is the configuration built from `settings`' PEM data (the files' first content).
    init(settings: ClientConfiguration.TLSSettings, initial: TLSConfiguration) {
        self.settings = settings
        paths = [settings.certificateAuthorityFile, settings.clientCertificateFile, settings.clientKeyFile]
        let material = Material(
            certificateAuthorityPEM: settings.certificateAuthorityPEM, clientCertificatePEM: settings.clientCertificatePEM,
            clientKeyPEM: settings.clientKeyPEM)
        let signatures = paths.map { $0.flatMap(Self.signature(of:)) }
        state = Mutex(State(configuration: initial, material: material, signatures: signatures, checkedAt: clock.now))
    }

    /// The TLS configuration for a new request: the current one, rebuilt first if a file changed.
    func current() -> TLSConfiguration {
        let now = clock.now
        let due: Bool = state.withLock { state in
            guard now - state.checkedAt >= Self.checkInterval else { return false }
            state.checkedAt = now
            return true
        }
        guard due else { return state.withLock { $0.configuration } }
        let signatures = paths.map { $0.flatMap(Self.signature(of:)) }
        let unchanged = state.withLock { $0.signatures == signatures }
        if unchanged { return state.withLock { $0.configuration } }
        // Read only after taking the signatures: a write during the read is seen next time.
        let material = readMaterial()
        let current = state.withLock { $0 }
        guard let material, material != current.material else {
            state.withLock { $0.signatures = signatures }
            return current.configuration
        }
        var rotated = settings
        rotated.certificateAuthorityPEM = material.certificateAuthorityPEM
        rotated.clientCertificatePEM = material.clientCertificatePEM
        rotated.clientKeyPEM = material.clientKeyPEM
        guard let configuration = try? TLSSettingsBuilder.configuration(for: rotated) else {
            // Not parsable (yet): keep the old credentials and look again at the next check.
            return current.configuration
        }
        state.withLock { state in
            state.configuration = configuration
            state.material = material
            state.signatures = signatures
        }
        return configuration
    }

    /// The content of every named file (the configured PEM for the others); nil if one cannot be read.
    private func readMaterial() -> Material? {
        func read(_ path: String?, _ fallback: [UInt8]?) -> [UInt8]?? {
            guard let path else { return .some(fallback) }
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
            return .some(Array(data))
        }
        guard let authority = read(paths[0], settings.certificateAuthorityPEM),
            let certificate = read(paths[1], settings.clientCertificatePEM),
            let key = read(paths[2], settings.clientKeyPEM)
        else { return nil }
        return Material(certificateAuthorityPEM: authority, clientCertificatePEM: certificate, clientKeyPEM: key)
    }

    private static func signature(of path: String) -> Signature? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return Signature(
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0,
            size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
    }
}
