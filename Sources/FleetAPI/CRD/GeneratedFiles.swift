// Everything generated from the Swift definitions, by path relative to the repository root:
// `fleetnet crds` writes these files, and a test checks the committed ones are identical.

public enum GeneratedFiles {
    /// Where the networking CRD manifests go (the reference's path; net-crd-installer reads it).
    public static let networkingDirectory = "config/crd/bases"
    /// Where the Fleet core CRD manifests go (for local fleets and tests only).
    public static let fleetCoreDirectory = "config/crd/fleet-core"
    /// The API reference.
    public static let apiReference = "docs/api.md"

    /// Every generated file: relative path → contents.
    public static func all() throws -> [(path: String, contents: String)] {
        var files: [(path: String, contents: String)] = []
        for definition in FleetCRDs.networking + FleetCRDs.multiClusterServicesAPI {
            files.append(("\(networkingDirectory)/\(FleetCRDs.fileName(of: definition))", try CRDManifest.yaml(for: definition)))
        }
        for definition in FleetCRDs.fleetCore {
            files.append(("\(fleetCoreDirectory)/\(FleetCRDs.fileName(of: definition))", try CRDManifest.yaml(for: definition)))
        }
        files.append((apiReference, APIReference.markdown()))
        return files
    }
}
