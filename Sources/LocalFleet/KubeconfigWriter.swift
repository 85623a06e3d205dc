import Foundation

// Writes a kubeconfig (YAML) with one cluster, user and context per API server of a local fleet,
// credentials embedded, so `kubectl --kubeconfig DIR/kubeconfig --context hub ...` works as is.

public struct KubeconfigEntry: Sendable {
    public var context: String
    public var server: String
    public var certificateAuthorityPEM: String
    public var clientCertificatePEM: String
    public var clientKeyPEM: String

    public init(context: String, server: String, certificateAuthorityPEM: String, clientCertificatePEM: String, clientKeyPEM: String) {
        self.context = context
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }
}

public enum KubeconfigWriter {
    public static func render(_ entries: [KubeconfigEntry], currentContext: String) -> String {
        func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        var lines = ["apiVersion: v1", "kind: Config", "preferences: {}", "current-context: \(currentContext)", "clusters:"]
        for entry in entries {
            lines += [
                "- name: \(entry.context)", "  cluster:", "    server: \(entry.server)",
                "    certificate-authority-data: \(b64(entry.certificateAuthorityPEM))",
            ]
        }
        lines.append("users:")
        for entry in entries {
            lines += [
                "- name: \(entry.context)-admin", "  user:",
                "    client-certificate-data: \(b64(entry.clientCertificatePEM))",
                "    client-key-data: \(b64(entry.clientKeyPEM))",
            ]
        }
        lines.append("contexts:")
        for entry in entries {
            lines += ["- name: \(entry.context)", "  context:", "    cluster: \(entry.context)", "    user: \(entry.context)-admin"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func write(_ entries: [KubeconfigEntry], currentContext: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let text = render(entries, currentContext: currentContext)
        try Data(text.utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }
}
