// How kube-apiserver names OpenAPI schema components and operations, so that `kubectl explain`
// and anything keyed on those names find what they expect:
//   built-in `apps/v1 Deployment`          → `io.k8s.api.apps.v1.Deployment`
//   built-in `rbac.authorization.k8s.io`   → `io.k8s.api.rbac.v1.Role`
//   custom   `example.com/v1 Widget`       → `com.example.v1.Widget` (reversed domain)

enum OpenAPISchemaNames {
    static let objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let listMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
    static let status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
    static let deleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
    static let patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
    static let watchEvent = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"
    static let time = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
    static let ownerReference = "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"
    static let managedFieldsEntry = "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry"
    static let fieldsV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"
    static let statusDetails = "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails"
    static let statusCause = "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause"
    static let preconditions = "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions"

    /// The schema name of `kind` in a group version.
    static func schemaName(group: String, version: String, kind: String, isCustomResource: Bool) -> String {
        "\(packagePrefix(group: group, isCustomResource: isCustomResource)).\(version).\(kind)"
    }

    private static func packagePrefix(group: String, isCustomResource: Bool) -> String {
        if isCustomResource {
            return group.split(separator: ".").reversed().joined(separator: ".")
        }
        switch group {
        case "": return "io.k8s.api.core"
        case "apiextensions.k8s.io": return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions"
        case "apiregistration.k8s.io": return "io.k8s.kube-aggregator.pkg.apis.apiregistration"
        default:
            // Built-in groups are named after their Go package: the first label of the group.
            return "io.k8s.api." + (group.split(separator: ".").first.map(String.init) ?? group)
        }
    }

    /// The group as it appears in operation ids and tags: `Core`, `Apps`, `RbacAuthorization`,
    /// `ExampleCom` (built-in groups drop `.k8s.io`).
    static func operationGroup(_ group: String, isCustomResource: Bool) -> String {
        if group.isEmpty { return "Core" }
        var name = group
        if !isCustomResource, name.hasSuffix(".k8s.io") { name.removeLast(".k8s.io".count) }
        return name.split(whereSeparator: { $0 == "." || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The operation tag, e.g. `core_v1`, `apps_v1`, `exampleCom_v1`.
    static func tag(group: String, version: String, isCustomResource: Bool) -> String {
        let pascal = operationGroup(group, isCustomResource: isCustomResource)
        return pascal.prefix(1).lowercased() + pascal.dropFirst() + "_" + version
    }
}
