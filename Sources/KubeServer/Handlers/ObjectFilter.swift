import KubeModel

// Label and field selectors of list, watch and deletecollection requests. Field selectors are
// limited to the fields each kind supports on a real server (`metadata.name`,
// `metadata.namespace`, and a few per kind such as Event's `involvedObject.*`); others are
// rejected with the real server's message.

struct ObjectFilter: Sendable {
    let labels: LabelMatcher
    let fields: FieldMatcher

    var isEmpty: Bool { labels.isEverything && fields.isEverything }

    init(labelSelector: String, fieldSelector: String, definition: ResourceDefinition) throws(APIError) {
        do {
            labels = try LabelMatcher(parsing: labelSelector)
        } catch {
            throw .badRequest("unable to parse requirement: \(error)")
        }
        do {
            fields = try FieldMatcher(parsing: fieldSelector)
        } catch {
            throw .badRequest("\(error)")
        }
        let supported = Self.supportedFields(definition)
        for requirement in fields.requirements where !supported.contains(requirement.field) {
            throw .badRequest("field label not supported: \(requirement.field)")
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        if !labels.isEverything && !labels.matches(object.metaLabels) { return false }
        if fields.isEverything { return true }
        return fields.matches { field in
            let value = object[path: field.split(separator: ".").map(String.init)]
            switch value {
            case .string(let text)?: return text
            case .bool(let flag)?: return flag ? "true" : "false"
            case .int(let number)?: return String(number)
            case nil, .null?: return ""
            default: return value?.jsonString
            }
        }
    }

    static func supportedFields(_ definition: ResourceDefinition) -> Set<String> {
        var fields: Set<String> = ["metadata.name", "metadata.namespace"]
        switch (definition.group, definition.kind) {
        case ("", "Event"):
            fields.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                "reportingComponent", "source", "type",
            ])
        case ("", "Pod"):
            fields.formUnion(["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"])
        case ("", "Secret"):
            fields.insert("type")
        case ("", "Namespace"):
            fields.insert("status.phase")
        case ("", "Service"):
            fields.formUnion(["spec.clusterIP", "spec.type"])
        case ("discovery.k8s.io", "EndpointSlice"):
            fields.insert("addressType")
        default:
            break
        }
        return fields
    }
}
