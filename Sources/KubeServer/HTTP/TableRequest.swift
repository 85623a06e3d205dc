import KubeModel

// Whether a get/list/watch asks for `meta.k8s.io` Table output (kubectl get does), and how.

struct TableRequest: Sendable {
    var version: String
    var includeObject: IncludeObjectPolicy

    var contentType: String { "application/json;as=Table;v=\(version);g=meta.k8s.io" }

    /// nil when plain objects are wanted; throws 406 when nothing acceptable was asked for.
    static func from(acceptHeader: String?, query: [String: String]) throws(APIError) -> TableRequest? {
        guard let representation = ResponseRepresentation.negotiate(acceptHeader: acceptHeader) else {
            throw APIError(
                code: 406, reason: "NotAcceptable",
                message: "only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io")
        }
        guard case .table(let version) = representation else { return nil }
        guard let include = IncludeObjectPolicy(queryValue: query["includeObject"]) else {
            throw .badRequest("includeObject: Unsupported value: \"\(query["includeObject"] ?? "")\": supported values: \"Metadata\", \"None\", \"Object\"")
        }
        return TableRequest(version: version, includeObject: include)
    }

    func render(_ objects: [JSONValue], definition: ResourceDefinition, listMeta: JSONValue) -> JSONValue {
        makeTable(
            objects: objects, definition: definition, includeObject: includeObject, listMeta: listMeta, now: Date(),
            tableVersion: version)
    }
}

import Foundation
