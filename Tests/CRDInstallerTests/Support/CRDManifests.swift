import CRDInstaller
import Foundation
import KubeModel

// Small hand-written CRD manifests of the fleet-networking group (and one of another group),
// each with a structural schema whose `spec` has a few properties.

enum CRDManifests {
    static let group = "networking.fleet.azure.com"

    /// (plural, kind) of the fixtures of the fleet-networking group.
    static let fleetKinds: [(plural: String, kind: String)] = [
        ("serviceexports", "ServiceExport"),
        ("serviceimports", "ServiceImport"),
        ("multiclusterservices", "MultiClusterService"),
        ("internalserviceexports", "InternalServiceExport"),
    ]

    static var fleetNames: Set<String> { Set(fleetKinds.map { "\($0.plural).\(group)" }) }
    static let memberNames: Set<String> = [
        "serviceexports.\(group)", "serviceimports.\(group)", "multiclusterservices.\(group)",
    ]

    /// One CRD manifest; `newField` adds a fifth property to `spec`'s schema.
    static func yaml(plural: String, kind: String, group: String = group, newField: Bool = false) -> String {
        var lines = [
            "apiVersion: apiextensions.k8s.io/v1",
            "kind: CustomResourceDefinition",
            "metadata:",
            "  name: \(plural).\(group)",
            "  annotations:",
            "    controller-gen.kubebuilder.io/version: v0.16.0",
            "spec:",
            "  group: \(group)",
            "  names:",
            "    kind: \(kind)",
            "    plural: \(plural)",
            "    categories:",
            "    - fleet-networking",
            "  scope: Namespaced",
            "  versions:",
            "  - name: v1alpha1",
            "    served: true",
            "    storage: true",
            "    subresources:",
            "      status: {}",
            "    schema:",
            "      openAPIV3Schema:",
            "        type: object",
            "        properties:",
            "          apiVersion:",
            "            type: string",
            "          kind:",
            "            type: string",
            "          metadata:",
            "            type: object",
            "          status:",
            "            type: object",
            "            x-kubernetes-preserve-unknown-fields: true",
            "          spec:",
            "            type: object",
            "            properties:",
            "              field1:",
            "                type: string",
            "              field2:",
            "                type: integer",
            "                minimum: 0",
            "              field3:",
            "                type: boolean",
            "              field4:",
            "                type: array",
            "                items:",
            "                  type: string",
        ]
        if newField {
            lines += ["              newField:", "                type: string"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the fleet fixtures (one file each) plus a CRD of another group into `directory`.
    static func writeAll(to directory: String, newField: Bool = false) throws {
        for (plural, kind) in fleetKinds {
            try write(yaml(plural: plural, kind: kind, newField: newField), to: "\(directory)/networking.fleet.azure.com_\(plural).yaml")
        }
        try write(yaml(plural: "widgets", kind: "Widget", group: "example.com"), to: "\(directory)/example.com_widgets.yaml")
    }

    /// The fleet fixtures decoded, as code that builds CRDs in memory would pass them.
    static func decoded(newField: Bool = false) throws -> [CustomResourceDefinition] {
        try withTemporaryDirectorySync { directory in
            try writeAll(to: directory, newField: newField)
            return try CRDLoader.load(directory: directory)
        }
    }

    /// The `spec` properties in the stored schema of a CRD's first version.
    static func specProperties(of crd: CustomResourceDefinition) -> Set<String> {
        let schema = crd.spec.versions.first?.schema?.openAPIV3Schema
        return Set(schema?[path: ["properties", "spec", "properties"]]?.objectValue?.keys.map { $0 } ?? [])
    }
}

private func withTemporaryDirectorySync<T>(_ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "crd-manifests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}
