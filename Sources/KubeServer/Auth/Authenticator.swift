import NIOCore
import NIOSSL
import X509

// Request authentication in kube-apiserver's order: the client certificate first, then the bearer
// token, and anonymous last — only when enabled and only when no credential was offered. A bearer
// token that is present but unknown is a 401 even with anonymous enabled, like the real server's
// fail-on-error union. Every authenticated user gets `system:authenticated`.
// Service account tokens (JWTs) are not supported.

/// What authentication decided about one request.
public enum AuthenticationResult: Sendable, Equatable {
    /// Credentials identified this user (who already carries `system:authenticated`).
    case authenticated(UserInfo)
    /// No credentials were offered and anonymous requests are enabled: the user is ``UserInfo/anonymous``.
    case anonymous
    /// Credentials were invalid, or none were offered while anonymous requests are disabled: answer
    /// 401 with ``KubeAuthStatus/unauthorized()``.
    case rejected

    /// The user to authorize, `nil` when rejected.
    public var user: UserInfo? {
        switch self {
        case .authenticated(let user): return user
        case .anonymous: return .anonymous
        case .rejected: return nil
        }
    }
}

/// Authenticates requests from their client certificate and `Authorization` header.
public struct Authenticator: Sendable {
    public var tokens: StaticTokenTable
    public var allowsAnonymous: Bool

    public init(tokens: StaticTokenTable = StaticTokenTable(), allowsAnonymous: Bool = false) {
        self.tokens = tokens
        self.allowsAnonymous = allowsAnonymous
    }

    /// Authenticates one request.
    ///
    /// - Parameters:
    ///   - authorizationHeader: the value of the `Authorization` header, if any. Only
    ///     `Bearer <token>` (scheme case-insensitive) counts; other schemes are ignored as by
    ///     kube-apiserver, so they fall through to anonymous.
    ///   - peerCertificateUser: the identity from the verified client certificate of the connection
    ///     (see ``identity(fromPeerCertificateOf:)``), if any.
    public func authenticate(authorizationHeader: String?, peerCertificateUser: UserInfo?) -> AuthenticationResult {
        if let peerCertificateUser {
            return .authenticated(peerCertificateUser.addingAuthenticatedGroup())
        }
        if let token = Self.bearerToken(fromAuthorizationHeader: authorizationHeader) {
            guard let user = tokens.user(forToken: token) else { return .rejected }
            return .authenticated(user.addingAuthenticatedGroup())
        }
        return allowsAnonymous ? .anonymous : .rejected
    }

    /// Authenticates one request received on `channel`, taking the client certificate from its TLS
    /// handler. Parses the peer certificate on every call; cache the identity per connection if that
    /// shows up in profiles.
    public func authenticate(authorizationHeader: String?, channel: any Channel) async -> AuthenticationResult {
        let certificateUser = await identity(fromPeerCertificateOf: channel)
        return authenticate(authorizationHeader: authorizationHeader, peerCertificateUser: certificateUser)
    }

    /// The token of a `Bearer` authorization header; `nil` for other schemes or an empty token.
    public static func bearerToken(fromAuthorizationHeader header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.trimmingSpaces().split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }

    /// The user named by a client certificate: `CN` is the user name, each `O` a group.
    ///
    /// Returns `nil` when the certificate has no common name, or carries an extended key usage
    /// extension without `clientAuth` (or `any`) — Go's verifier, which kube-apiserver uses, rejects
    /// those for client authentication. The chain itself must already have been verified (NIOSSL
    /// does so during the handshake with ``TLSConfiguration/kubeServer(serving:clientAuthority:)``).
    public static func identity(of certificate: Certificate) -> UserInfo? {
        if let usages = try? certificate.extensions.extendedKeyUsage {
            guard usages.contains(.clientAuth) || usages.contains(.any) else { return nil }
        }
        var commonName: String?
        var groups: [String] = []
        for relativeName in certificate.subject {
            for attribute in relativeName {
                switch attribute.type {
                case .RDNAttributeType.commonName:
                    if commonName == nil { commonName = String(attribute.value) }
                case .RDNAttributeType.organizationName:
                    if let group = String(attribute.value) { groups.append(group) }
                default:
                    break
                }
            }
        }
        guard let commonName, !commonName.isEmpty else { return nil }
        return UserInfo(name: commonName, groups: groups)
    }

    /// The user named by the verified client certificate of a TLS connection, or `nil` when the
    /// channel has no TLS handler, the client sent no certificate, or it names no user.
    ///
    /// NIOSSL only exposes a peer certificate that passed verification against the trust roots
    /// (with `optionalVerification`, an unverifiable certificate fails the handshake).
    public func identity(fromPeerCertificateOf channel: any Channel) async -> UserInfo? {
        guard let peer = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return Self.identity(ofNIOSSLCertificate: peer)
    }

    /// The synchronous variant of ``identity(fromPeerCertificateOf:)``; must run on the channel's event loop.
    public static func identity(fromPeerCertificateIn pipeline: ChannelPipeline.SynchronousOperations) -> UserInfo? {
        guard let peer = try? pipeline.nioSSL_peerCertificate() else { return nil }
        return identity(ofNIOSSLCertificate: peer)
    }

    private static func identity(ofNIOSSLCertificate certificate: NIOSSLCertificate) -> UserInfo? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else {
            return nil
        }
        return identity(of: parsed)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
