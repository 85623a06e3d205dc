import KubeModel

// The state the installer wants a CRD in, and how it is merged into an existing object: the spec
// is replaced wholesale; labels and annotations of other parties are kept, the installer's own
// (and the manifest's) are added. Specs are compared after the API server's defaulting so an
// object read back compares equal to the manifest it was written from.

struct DesiredCRD: Sendable {
    let name: String
    let labels: [String: String]
    let annotations: [String: String]
    let spec: CustomResourceDefinitionSpec

    init(_ crd: CustomResourceDefinition, e2e: Bool) throws {
        guard let name = crd.metadata.name, !name.isEmpty else {
            throw CRDInstallerError.unnamedCRD(plural: crd.spec.names.plural)
        }
        self.name = name
        var labels = crd.metadata.labels ?? [:]
        labels[CRDInstallerConstants.managedLabelKey] = CRDInstallerConstants.managedLabelValue
        if !e2e {
            labels[CRDInstallerConstants.azureManagedByLabelKey] = CRDInstallerConstants.azureManagedByLabelValue
        }
        self.labels = labels
        self.annotations = crd.metadata.annotations ?? [:]
        self.spec = Self.defaulted(crd.spec)
    }

    /// A new object carrying only the desired state (no server-owned metadata from the manifest).
    var newObject: CustomResourceDefinition {
        CustomResourceDefinition(
            metadata: ObjectMeta(name: name, labels: labels, annotations: annotations.isEmpty ? nil : annotations),
            spec: spec)
    }

    /// Whether `existing` already has the desired spec and carries the desired labels and annotations.
    func isSatisfied(by existing: CustomResourceDefinition) throws -> Bool {
        guard Self.contains(existing.metadata.labels, labels), Self.contains(existing.metadata.annotations, annotations) else {
            return false
        }
        return try JSONValue(encoding: Self.defaulted(existing.spec)) == JSONValue(encoding: spec)
    }

    /// `existing` with the desired spec and the desired labels and annotations merged in.
    func merged(into existing: CustomResourceDefinition) -> CustomResourceDefinition {
        var updated = existing
        updated.spec = spec
        updated.metadata.labels = (existing.metadata.labels ?? [:]).merging(labels) { _, desired in desired }
        if !annotations.isEmpty {
            updated.metadata.annotations = (existing.metadata.annotations ?? [:]).merging(annotations) { _, desired in desired }
        }
        return updated
    }

    private static func contains(_ map: [String: String]?, _ entries: [String: String]) -> Bool {
        entries.allSatisfy { key, value in map?[key] == value }
    }

    /// The spec with the defaults apiextensions applies on write (singular, listKind, conversion).
    static func defaulted(_ spec: CustomResourceDefinitionSpec) -> CustomResourceDefinitionSpec {
        var spec = spec
        let kind = spec.names.kind
        if !kind.isEmpty {
            if spec.names.singular == nil || spec.names.singular == "" { spec.names.singular = kind.lowercased() }
            if spec.names.listKind == nil || spec.names.listKind == "" { spec.names.listKind = kind + "List" }
        }
        if spec.conversion == nil { spec.conversion = ["strategy": "None"] }
        return spec
    }
}
