import Foundation
import Synchronization

/// Who may call the ARM-compatible server, and where (traffic-manager spec §5, §6.5, §8): Azure
/// AD applications (client secret, or a federated token as workload identity sends), managed
/// identities (IMDS), the bearer tokens issued to them, and role assignments per resource group.
/// Until `requireAuthentication()` the ARM routes answer anyone, as the fakes of the reference do.
public final class ARMIdentities: Sendable {
    public enum Credential: Sendable, Equatable {
        case clientSecret(String)
        /// Workload identity: any non-empty client assertion (the projected service-account token).
        case federated
        /// A managed identity, reached through IMDS.
        case managed
    }

    private struct Identity {
        var tenant: String
        var credential: Credential
        var groups: Set<String> = []
    }

    private struct State {
        var required = false
        var identities: [String: Identity] = [:]
        var tokens: [String: (client: String, expires: Date)] = [:]
        var issued = 0
    }

    private let state = Mutex(State())
    /// Seconds a token lives (Azure: about an hour); short in tests of refreshing.
    public let tokenLifetime: Int

    public init(tokenLifetime: Int = 3599) {
        self.tokenLifetime = tokenLifetime
    }

    public func requireAuthentication() {
        state.withLock { $0.required = true }
    }

    public var isRequired: Bool { state.withLock { $0.required } }

    /// Registers an identity (client id of an application or of a managed identity).
    public func register(clientID: String, tenant: String = "tenant", credential: Credential) {
        state.withLock { $0.identities[clientID.lowercased()] = Identity(tenant: tenant.lowercased(), credential: credential) }
    }

    /// A role assignment: `clientID` may read and write in the resource group.
    public func grant(_ clientID: String, group: String, subscription: String) {
        state.withLock { $0.identities[clientID.lowercased()]?.groups.insert(Self.scope(subscription, group)) }
    }

    public func revoke(_ clientID: String, group: String, subscription: String) {
        state.withLock { _ = $0.identities[clientID.lowercased()]?.groups.remove(Self.scope(subscription, group)) }
    }

    /// Tokens issued so far (tests of caching count them).
    public var tokensIssued: Int { state.withLock { $0.issued } }

    static func scope(_ subscription: String, _ group: String) -> String { "\(subscription.lowercased())/\(group.lowercased())" }

    /// A token for `clientID` presenting `credential` in `tenant`, or why not.
    func issue(clientID: String, tenant: String?, presented: Credential, assertion: String? = nil) -> Result<(String, Int), ARMError> {
        state.withLock { state in
            guard let identity = state.identities[clientID.lowercased()] else {
                return .failure(ARMError(status: 400, code: "unauthorized_client", message: "Application '\(clientID)' was not found in the directory."))
            }
            if let tenant, identity.tenant != tenant.lowercased() {
                return .failure(ARMError(status: 400, code: "invalid_request", message: "Application '\(clientID)' is not in tenant '\(tenant)'."))
            }
            switch (identity.credential, presented) {
            case (.clientSecret(let secret), .clientSecret(let given)) where secret == given: break
            case (.federated, .federated) where !(assertion ?? "").isEmpty: break
            case (.managed, .managed): break
            default:
                return .failure(ARMError(status: 401, code: "invalid_client", message: "Invalid client credentials for '\(clientID)'."))
            }
            state.issued += 1
            let token = "token-\(state.issued)-\(UUID().uuidString)"
            state.tokens[token] = (clientID.lowercased(), Date().addingTimeInterval(TimeInterval(tokenLifetime)))
            return .success((token, tokenLifetime))
        }
    }

    /// The single managed identity, for IMDS requests that do not name one.
    func onlyManagedIdentity() -> String? {
        state.withLock { state in
            let managed = state.identities.filter { $0.value.credential == .managed }
            return managed.count == 1 ? managed.first?.key : nil
        }
    }

    /// Checks the bearer token of a request and its access to `subscription/group`.
    func authorize(_ authorization: String?, subscription: String, group: String, linked: Bool = false) throws(ARMError) {
        let token = authorization.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        try state.withLock { state throws(ARMError) in
            guard state.required else { return }
            guard let token, let entry = state.tokens[token] else {
                throw ARMError(status: 401, code: "AuthenticationFailed", message: "Authentication failed: no valid bearer token.")
            }
            guard entry.expires > Date() else {
                throw ARMError(status: 401, code: "ExpiredAuthenticationToken", message: "The access token has expired.")
            }
            guard state.identities[entry.client]?.groups.contains(Self.scope(subscription, group)) == true else {
                throw ARMError(
                    status: 403, code: linked ? "LinkedAuthorizationFailed" : "AuthorizationFailed",
                    message: "The client '\(entry.client)' does not have authorization to perform this action over scope "
                        + "'/subscriptions/\(subscription)/resourceGroups/\(group)'.")
            }
        }
    }
}
