import KubeModel

// Options of API requests, parsed from query parameters (and the DeleteOptions body), with the
// validation a real server applies to them.

public enum FieldValidation: String, Sendable {
    case strict = "Strict"
    case warn = "Warn"
    case ignore = "Ignore"
}

public struct WriteOptions: Sendable {
    public var fieldManager: String
    public var fieldValidation: FieldValidation
    public var isDryRun: Bool
    public var force: Bool
    public var userName: String

    public init(
        fieldManager: String = "", fieldValidation: FieldValidation = .warn, isDryRun: Bool = false,
        force: Bool = false, userName: String = ""
    ) {
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
        self.isDryRun = isDryRun
        self.force = force
        self.userName = userName
    }

    /// Parses `fieldManager`, `fieldValidation`, `dryRun` and `force`; the manager defaults to
    /// the first token of the User-Agent (`kubectl/v1.32 (...)` → `kubectl`), as kube-apiserver does.
    public init(query: [String: String], userAgent: String?, userName: String) throws(APIError) {
        self.userName = userName
        if let manager = query["fieldManager"], !manager.isEmpty {
            guard manager.count <= 128 else {
                throw .badRequest("fieldManager: Too long: may not be more than 128 bytes")
            }
            fieldManager = manager
        } else {
            let derived = ManagedFieldsTracker.managerName(fieldManager: nil, userAgent: userAgent)
            fieldManager = derived.isEmpty ? "unknown" : derived
        }
        switch query["fieldValidation"] ?? "" {
        case "": fieldValidation = .warn
        case "Strict": fieldValidation = .strict
        case "Warn": fieldValidation = .warn
        case "Ignore": fieldValidation = .ignore
        case let other:
            throw .badRequest(
                "fieldValidation: Unsupported value: \"\(other)\": supported values: \"Ignore\", \"Strict\", \"Warn\"")
        }
        switch query["dryRun"] {
        case nil, "": isDryRun = false
        case "All": isDryRun = true
        case let other?:
            throw .badRequest("dryRun: Unsupported value: \"\(other)\": supported values: \"All\"")
        }
        switch query["force"] {
        case nil, "", "false", "0": force = false
        case "true", "1": force = true
        case let other?: throw .badRequest("force: Invalid value: \"\(other)\": must be true or false")
        }
    }
}

public enum PropagationPolicy: String, Sendable {
    case background = "Background"
    case foreground = "Foreground"
    case orphan = "Orphan"
}

public struct DeleteOptions: Sendable {
    public var propagationPolicy: PropagationPolicy?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var isDryRun: Bool

    public init(
        propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, isDryRun: Bool = false
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.isDryRun = isDryRun
    }

    /// From the query string and an optional `DeleteOptions` body (the body wins, as in kube-apiserver).
    public init(query: [String: String], body: JSONValue?) throws(APIError) {
        func policy(_ text: String) throws(APIError) -> PropagationPolicy {
            guard let policy = PropagationPolicy(rawValue: text) else {
                throw .badRequest(
                    "propagationPolicy: Unsupported value: \"\(text)\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
            }
            return policy
        }
        if let text = query["propagationPolicy"], !text.isEmpty { propagationPolicy = try policy(text) }
        if query["orphanDependents"] == "true" { propagationPolicy = .orphan }
        isDryRun = query["dryRun"] == "All"
        if let body, case .object = body {
            if let text = body["propagationPolicy"]?.stringValue { propagationPolicy = try policy(text) }
            if let orphan = body["orphanDependents"]?.boolValue {
                if propagationPolicy != nil && propagationPolicy != (orphan ? .orphan : propagationPolicy) {
                    throw .badRequest("orphanDependents: Invalid value: \(orphan): orphanDependents and deletionPropagation cannot be both set")
                }
                if orphan { propagationPolicy = .orphan }
            }
            preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
            preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            if let dryRun = body["dryRun"]?.arrayValue, dryRun.contains("All") { isDryRun = true }
        }
    }
}

public struct ListOptions: Sendable {
    public var labelSelector: String
    public var fieldSelector: String
    public var limit: Int
    public var continueToken: String
    public var resourceVersion: String
    public var resourceVersionMatch: String
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool
    public var sendInitialEvents: Bool?

    public init(query: [String: String]) throws(APIError) {
        labelSelector = query["labelSelector"] ?? ""
        fieldSelector = query["fieldSelector"] ?? ""
        continueToken = query["continue"] ?? ""
        resourceVersion = query["resourceVersion"] ?? ""
        resourceVersionMatch = query["resourceVersionMatch"] ?? ""
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else {
                throw .badRequest("limit: Invalid value: \"\(text)\": must be a non-negative integer")
            }
            limit = value
        } else {
            limit = 0
        }
        if let text = query["timeoutSeconds"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else {
                throw .badRequest("timeoutSeconds: Invalid value: \"\(text)\": must be a non-negative integer")
            }
            timeoutSeconds = value
        } else {
            timeoutSeconds = nil
        }
        allowWatchBookmarks = query["allowWatchBookmarks"] == "true" || query["allowWatchBookmarks"] == "1"
        sendInitialEvents = query["sendInitialEvents"].map { $0 == "true" || $0 == "1" }
        if !["", "Exact", "NotOlderThan"].contains(resourceVersionMatch) {
            throw .badRequest(
                "resourceVersionMatch: Unsupported value: \"\(resourceVersionMatch)\": supported values: \"Exact\", \"NotOlderThan\"")
        }
        if !continueToken.isEmpty && !resourceVersion.isEmpty && resourceVersion != "0" {
            throw .badRequest("specifying resource version is not allowed when using continue")
        }
    }
}
