import Foundation
import KubeModel

// Lists: label and field selectors, `limit`/`continue` pagination over a consistent snapshot
// (later pages are served as of the first page's revision, reconstructed from history), and
// `resourceVersion`/`resourceVersionMatch` semantics.

/// The `continue` token: the revision of the first page and the key to resume after.
struct ContinueToken: Sendable, Equatable {
    var revision: Int64
    var startAfter: StorageKey

    var encoded: String {
        let json: JSONValue = [
            "v": "meta.k8s.io/v1", "rv": .int(revision),
            "start": .string(startAfter.namespace + "/" + startAfter.name + "\u{0}"),
        ]
        return Data(json.serialized()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(revision: Int64, startAfter: StorageKey) {
        self.revision = revision
        self.startAfter = startAfter
    }

    init(decoding text: String) throws(APIError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = try? JSONValue(parsing: Array(data)),
            let revision = json["rv"]?.intValue, var start = json["start"]?.stringValue,
            start.hasSuffix("\u{0}"), let slash = start.firstIndex(of: "/")
        else {
            throw .badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        start.removeLast()
        self.revision = revision
        self.startAfter = StorageKey(
            namespace: String(start[..<slash]), name: String(start[start.index(after: slash)...]))
    }
}

extension APIServerCore {
    public func list(_ definition: ResourceDefinition, namespace: String, options: ListOptions) throws(APIError) -> JSONValue {
        let filter = try ObjectFilter(
            labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, definition: definition)
        let scope: String? = definition.isNamespaced && !namespace.isEmpty ? namespace : nil
        var objects: [(StorageKey, JSONValue)]
        var revision: Int64
        var startAfter: StorageKey?
        if !options.continueToken.isEmpty {
            let token = try ContinueToken(decoding: options.continueToken)
            do {
                objects = try store.list(definition.groupResource, namespace: scope, atRevision: token.revision)
            } catch {
                throw APIError(
                    code: 410, reason: "Expired",
                    message:
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
            }
            revision = token.revision
            startAfter = token.startAfter
        } else if options.resourceVersionMatch == "Exact", let exact = Int64(options.resourceVersion) {
            do {
                objects = try store.list(definition.groupResource, namespace: scope, atRevision: exact)
            } catch {
                throw .expired("too old resource version: \(exact) (\(store.currentRevision))")
            }
            revision = exact
        } else {
            (objects, revision) = store.list(definition.groupResource, namespace: scope)
        }
        if let startAfter {
            objects.removeAll { $0.0 <= startAfter }
        }
        var items: [JSONValue] = []
        var continueToken: String?
        var remaining = 0
        for (index, (key, object)) in objects.enumerated() where filter.matches(object) {
            if options.limit > 0 && items.count == options.limit {
                continueToken = ContinueToken(revision: revision, startAfter: objects[index - 1].0).encoded
                remaining = objects[index...].filter { filter.matches($0.1) }.count
                break
            }
            _ = key
            items.append(presented(object, as: definition))
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(revision))]
        if let continueToken {
            metadata["continue"] = .string(continueToken)
            if filter.isEmpty { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        }
        return [
            "kind": .string(definition.listKind), "apiVersion": .string(definition.groupVersion),
            "metadata": metadata, "items": .array(items),
        ]
    }
}
