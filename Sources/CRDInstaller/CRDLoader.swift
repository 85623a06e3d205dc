import Foundation
import KubeModel

// Reads CRD manifests from a directory, as the reference installer walks its image's
// `config/crd/bases`: every regular file (recursively, in name order) with a manifest extension.

/// Loads `apiextensions.k8s.io/v1` CustomResourceDefinitions from manifest files.
public enum CRDLoader {
    /// File extensions read; other files (READMEs, kustomizations without extension…) are skipped.
    public static let manifestExtensions: Set<String> = ["yaml", "yml", "json"]

    /// The CRDs of `groups` (every group when nil) in the files under `directory`.
    /// - Throws: ``CRDInstallerError/unreadableDirectory(path:reason:)`` when the directory cannot
    ///   be listed; ``CRDInstallerError/malformedFile(path:reason:)`` naming the first file that
    ///   cannot be read or holds something other than CRDs.
    public static func load(
        directory: String, groups: Set<String>? = CRDInstallerConstants.groups
    ) throws -> [CustomResourceDefinition] {
        var crds: [CustomResourceDefinition] = []
        for path in try manifestFiles(in: directory) {
            for crd in try load(file: path) where groups?.contains(crd.spec.group) ?? true {
                crds.append(crd)
            }
        }
        return crds
    }

    /// Every CRD in one manifest file (multi-document YAML allowed).
    public static func load(file path: String) throws -> [CustomResourceDefinition] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CRDInstallerError.malformedFile(path: path, reason: "cannot read file: \(error.localizedDescription)")
        }
        let documents: [JSONValue]
        do {
            documents = try ManifestDocuments.parse(text, isJSON: path.lowercased().hasSuffix(".json"))
        } catch {
            throw CRDInstallerError.malformedFile(path: path, reason: "\(error)")
        }
        return try documents.enumerated().map { index, document in
            try decodeCRD(document, path: path, index: index)
        }
    }

    /// Paths of the manifest files under `directory`, sorted by their path below it.
    static func manifestFiles(in directory: String) throws -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CRDInstallerError.unreadableDirectory(path: directory, reason: "no such directory")
        }
        let relativePaths: [String]
        do {
            relativePaths = try manager.subpathsOfDirectory(atPath: directory)
        } catch {
            throw CRDInstallerError.unreadableDirectory(path: directory, reason: error.localizedDescription)
        }
        let root = URL(fileURLWithPath: directory)
        return relativePaths.sorted().compactMap { relative in
            let url = root.appendingPathComponent(relative)
            guard manifestExtensions.contains(url.pathExtension.lowercased()) else { return nil }
            let values = try? url.resolvingSymlinksInPath().resourceValues(forKeys: [.isRegularFileKey])
            guard values?.isRegularFile == true else { return nil }
            return url.path
        }
    }

    private static func decodeCRD(_ document: JSONValue, path: String, index: Int) throws -> CustomResourceDefinition {
        let where_ = "document \(index + 1)"
        guard case .object = document else {
            throw CRDInstallerError.malformedFile(path: path, reason: "\(where_): expected a mapping, found \(document.typeName)")
        }
        let apiVersion = document["apiVersion"]?.stringValue ?? ""
        let kind = document["kind"]?.stringValue ?? ""
        guard apiVersion == CustomResourceDefinition.apiVersion, kind == CustomResourceDefinition.kind else {
            throw CRDInstallerError.malformedFile(
                path: path,
                reason: "\(where_): expected \(CustomResourceDefinition.apiVersion), Kind=\(CustomResourceDefinition.kind) but got \(apiVersion), Kind=\(kind)")
        }
        do {
            return try document.decode(as: CustomResourceDefinition.self)
        } catch {
            throw CRDInstallerError.malformedFile(path: path, reason: "\(where_): \(error)")
        }
    }
}
