// apiextensions.k8s.io/v1 CustomResourceDefinition.

/// A custom kind served by the API server (apiextensions/v1).
public struct CustomResourceDefinition: Resource, Hashable {
    public static let group = "apiextensions.k8s.io"
    public static let version = "v1"
    public static let kind = "CustomResourceDefinition"
    public static let plural = "customresourcedefinitions"
    public static let isNamespaced = false

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var spec: CustomResourceDefinitionSpec
    public var status: CustomResourceDefinitionStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: CustomResourceDefinitionSpec = CustomResourceDefinitionSpec(),
        status: CustomResourceDefinitionStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try container.decodeIfPresent(CustomResourceDefinitionSpec.self, forKey: .spec) ?? CustomResourceDefinitionSpec()
        self.status = try container.decodeIfPresent(CustomResourceDefinitionStatus.self, forKey: .status)
    }
}

public struct CustomResourceDefinitionSpec: Codable, Sendable, Hashable {
    public var group: String
    public var names: CustomResourceDefinitionNames
    /// `Namespaced` or `Cluster`.
    public var scope: String
    public var versions: [CustomResourceDefinitionVersion]
    public var conversion: JSONValue?
    public var preserveUnknownFields: Bool?

    public init(
        group: String = "",
        names: CustomResourceDefinitionNames = CustomResourceDefinitionNames(),
        scope: String = "Namespaced",
        versions: [CustomResourceDefinitionVersion] = [],
        conversion: JSONValue? = nil,
        preserveUnknownFields: Bool? = nil
    ) {
        self.group = group
        self.names = names
        self.scope = scope
        self.versions = versions
        self.conversion = conversion
        self.preserveUnknownFields = preserveUnknownFields
    }

    private enum CodingKeys: String, CodingKey {
        case group, names, scope, versions, conversion, preserveUnknownFields
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.group = try container.decodeIfPresent(String.self, forKey: .group) ?? ""
        self.names = try container.decodeIfPresent(CustomResourceDefinitionNames.self, forKey: .names) ?? CustomResourceDefinitionNames()
        self.scope = try container.decodeIfPresent(String.self, forKey: .scope) ?? "Namespaced"
        self.versions = try container.decodeIfPresent([CustomResourceDefinitionVersion].self, forKey: .versions) ?? []
        self.conversion = try container.decodeIfPresent(JSONValue.self, forKey: .conversion)
        self.preserveUnknownFields = try container.decodeIfPresent(Bool.self, forKey: .preserveUnknownFields)
    }
}

public struct CustomResourceDefinitionNames: Codable, Sendable, Hashable {
    public var plural: String
    public var singular: String?
    public var shortNames: [String]?
    public var kind: String
    public var listKind: String?
    public var categories: [String]?

    public init(
        plural: String = "",
        singular: String? = nil,
        shortNames: [String]? = nil,
        kind: String = "",
        listKind: String? = nil,
        categories: [String]? = nil
    ) {
        self.plural = plural
        self.singular = singular
        self.shortNames = shortNames
        self.kind = kind
        self.listKind = listKind
        self.categories = categories
    }

    private enum CodingKeys: String, CodingKey {
        case plural, singular, shortNames, kind, listKind, categories
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.plural = try container.decodeIfPresent(String.self, forKey: .plural) ?? ""
        self.singular = try container.decodeIfPresent(String.self, forKey: .singular)
        self.shortNames = try container.decodeIfPresent([String].self, forKey: .shortNames)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? ""
        self.listKind = try container.decodeIfPresent(String.self, forKey: .listKind)
        self.categories = try container.decodeIfPresent([String].self, forKey: .categories)
    }
}

public struct CustomResourceDefinitionVersion: Codable, Sendable, Hashable {
    public var name: String
    public var served: Bool
    public var storage: Bool
    public var deprecated: Bool?
    public var deprecationWarning: String?
    public var schema: CustomResourceValidation?
    public var subresources: CustomResourceSubresources?
    public var additionalPrinterColumns: [CustomResourceColumnDefinition]?
    public var selectableFields: [SelectableField]?

    public init(
        name: String,
        served: Bool,
        storage: Bool,
        deprecated: Bool? = nil,
        deprecationWarning: String? = nil,
        schema: CustomResourceValidation? = nil,
        subresources: CustomResourceSubresources? = nil,
        additionalPrinterColumns: [CustomResourceColumnDefinition]? = nil,
        selectableFields: [SelectableField]? = nil
    ) {
        self.name = name
        self.served = served
        self.storage = storage
        self.deprecated = deprecated
        self.deprecationWarning = deprecationWarning
        self.schema = schema
        self.subresources = subresources
        self.additionalPrinterColumns = additionalPrinterColumns
        self.selectableFields = selectableFields
    }
}

public struct CustomResourceValidation: Codable, Sendable, Hashable {
    /// The structural schema, kept as raw JSON.
    public var openAPIV3Schema: JSONValue?

    public init(
        openAPIV3Schema: JSONValue? = nil
    ) {
        self.openAPIV3Schema = openAPIV3Schema
    }
}

public struct CustomResourceSubresources: Codable, Sendable, Hashable {
    /// Present (as `{}`) when the status subresource is enabled.
    public var status: JSONValue?
    public var scale: CustomResourceSubresourceScale?

    public init(
        status: JSONValue? = nil,
        scale: CustomResourceSubresourceScale? = nil
    ) {
        self.status = status
        self.scale = scale
    }
}

public struct CustomResourceSubresourceScale: Codable, Sendable, Hashable {
    public var specReplicasPath: String
    public var statusReplicasPath: String
    public var labelSelectorPath: String?

    public init(
        specReplicasPath: String,
        statusReplicasPath: String,
        labelSelectorPath: String? = nil
    ) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }
}

public struct CustomResourceColumnDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var type: String
    public var format: String?
    public var description: String?
    public var priority: Int32?
    public var jsonPath: String

    public init(
        name: String,
        type: String,
        format: String? = nil,
        description: String? = nil,
        priority: Int32? = nil,
        jsonPath: String
    ) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.jsonPath = jsonPath
    }
}

public struct SelectableField: Codable, Sendable, Hashable {
    public var jsonPath: String

    public init(
        jsonPath: String
    ) {
        self.jsonPath = jsonPath
    }
}

public struct CustomResourceDefinitionStatus: Codable, Sendable, Hashable {
    public var conditions: [CustomResourceDefinitionCondition]?
    public var acceptedNames: CustomResourceDefinitionNames?
    public var storedVersions: [String]?

    public init(
        conditions: [CustomResourceDefinitionCondition]? = nil,
        acceptedNames: CustomResourceDefinitionNames? = nil,
        storedVersions: [String]? = nil
    ) {
        self.conditions = conditions
        self.acceptedNames = acceptedNames
        self.storedVersions = storedVersions
    }
}

public struct CustomResourceDefinitionCondition: Codable, Sendable, Hashable {
    /// `Established`, `NamesAccepted`, `NonStructuralSchema`, `Terminating`, `KubernetesAPIApprovalPolicyConformant`.
    public var type: String
    public var status: String
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String,
        status: String,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
