import KubeModel

// The rbac.authorization.k8s.io/v1 pieces the authorizer reads — PolicyRule, Subject, RoleRef and
// the aggregation label selectors — decoded leniently from stored JSON objects (validation is the
// registry's job; a malformed field simply matches nothing). Matching follows kube-apiserver's
// rbac.RuleAllows exactly.

/// One rule of a Role or ClusterRole.
public struct RBACPolicyRule: Sendable, Hashable {
    public var verbs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var resourceNames: [String]
    public var nonResourceURLs: [String]

    public init(
        verbs: [String],
        apiGroups: [String] = [],
        resources: [String] = [],
        resourceNames: [String] = [],
        nonResourceURLs: [String] = []
    ) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    /// Decodes a PolicyRule object; missing or non-string entries are dropped.
    public init(json: JSONValue) {
        self.init(
            verbs: json["verbs"].strings,
            apiGroups: json["apiGroups"].strings,
            resources: json["resources"].strings,
            resourceNames: json["resourceNames"].strings,
            nonResourceURLs: json["nonResourceURLs"].strings
        )
    }

    /// The rule as a JSON object, omitting empty lists as the API server does.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["verbs": .array(verbs.map(JSONValue.string))]
        if !apiGroups.isEmpty { object["apiGroups"] = .array(apiGroups.map(JSONValue.string)) }
        if !resources.isEmpty { object["resources"] = .array(resources.map(JSONValue.string)) }
        if !resourceNames.isEmpty { object["resourceNames"] = .array(resourceNames.map(JSONValue.string)) }
        if !nonResourceURLs.isEmpty { object["nonResourceURLs"] = .array(nonResourceURLs.map(JSONValue.string)) }
        return .object(object)
    }

    /// Whether this rule grants the request.
    ///
    /// - Resource requests: the verb, the API group, the resource and the name must match. `*`
    ///   matches any verb, group or resource (subresources included); `*/status` matches the status
    ///   subresource of any resource; `pods/log` only that subresource. An empty `resourceNames`
    ///   matches every name, otherwise the request's name must be listed — so a request without a
    ///   name (list, watch, create, deletecollection) never matches a rule with resource names.
    /// - Non-resource requests: the verb and the path; `*` matches every path and a trailing `*`
    ///   matches by prefix.
    public func allows(_ attributes: AuthorizationAttributes) -> Bool {
        guard matchesVerb(attributes.verb) else { return false }
        if attributes.isResourceRequest {
            return matchesAPIGroup(attributes.apiGroup)
                && matchesResource(attributes.combinedResource, subresource: attributes.subresource)
                && matchesResourceName(attributes.name)
        }
        return matchesNonResourceURL(attributes.path)
    }

    func matchesVerb(_ verb: String) -> Bool {
        verbs.contains { $0 == "*" || $0 == verb }
    }

    func matchesAPIGroup(_ group: String) -> Bool {
        apiGroups.contains { $0 == "*" || $0 == group }
    }

    func matchesResource(_ combinedResource: String, subresource: String) -> Bool {
        resources.contains { ruleResource in
            if ruleResource == "*" || ruleResource == combinedResource { return true }
            guard !subresource.isEmpty else { return false }
            return ruleResource == "*/\(subresource)"
        }
    }

    func matchesResourceName(_ name: String) -> Bool {
        resourceNames.isEmpty || resourceNames.contains(name)
    }

    func matchesNonResourceURL(_ path: String) -> Bool {
        nonResourceURLs.contains { ruleURL in
            if ruleURL == "*" || ruleURL == path { return true }
            guard ruleURL.hasSuffix("*") else { return false }
            return path.hasPrefix(ruleURL.dropLast())
        }
    }
}

/// The `subjects[]` entry of a binding.
struct RBACSubject: Sendable, Hashable {
    var kind: String
    var name: String
    var namespace: String

    init(json: JSONValue) {
        kind = json["kind"]?.stringValue ?? ""
        name = json["name"]?.stringValue ?? ""
        namespace = json["namespace"]?.stringValue ?? ""
    }

    /// Whether the subject names `user`. A ServiceAccount subject without a namespace means one in
    /// the binding's namespace (never matches in a ClusterRoleBinding).
    func applies(to user: UserInfo, bindingNamespace: String) -> Bool {
        switch kind {
        case "User":
            return user.name == name
        case "Group":
            return user.groups.contains(name)
        case "ServiceAccount":
            let accountNamespace = namespace.isEmpty ? bindingNamespace : namespace
            guard !accountNamespace.isEmpty else { return false }
            return user.name == UserInfo.serviceAccountUserName(namespace: accountNamespace, name: name)
        default:
            return false
        }
    }

    /// As kube-apiserver describes a subject in an "allowed by" reason.
    func description(bindingNamespace: String) -> String {
        if kind == "ServiceAccount" {
            let accountNamespace = namespace.isEmpty ? bindingNamespace : namespace
            return "\(kind) \(GoSyntax.quoted("\(name)/\(accountNamespace)"))"
        }
        return "\(kind) \(GoSyntax.quoted(name))"
    }
}

/// A binding's `roleRef`.
struct RBACRoleReference: Sendable, Hashable {
    var kind: String
    var name: String

    init(json: JSONValue) {
        kind = json["kind"]?.stringValue ?? ""
        name = json["name"]?.stringValue ?? ""
    }
}

/// A metav1.LabelSelector as used by `aggregationRule.clusterRoleSelectors`.
struct RBACLabelSelector: Sendable {
    var json: JSONValue

    /// Whether `labels` satisfy every `matchLabels` entry and every `matchExpressions` requirement.
    /// An empty selector matches everything; an unknown operator matches nothing.
    func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in json["matchLabels"]?.objectValue ?? [:] {
            guard labels[key] == value.stringValue else { return false }
        }
        for expression in json["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = expression["values"].strings
            switch expression["operator"]?.stringValue {
            case "In":
                guard let value = labels[key], values.contains(value) else { return false }
            case "NotIn":
                if let value = labels[key], values.contains(value) { return false }
            case "Exists":
                guard labels[key] != nil else { return false }
            case "DoesNotExist":
                guard labels[key] == nil else { return false }
            default:
                return false
            }
        }
        return true
    }
}


extension Optional where Wrapped == JSONValue {
    /// The string elements of an array value; empty when absent or not an array.
    fileprivate var strings: [String] {
        (self?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
