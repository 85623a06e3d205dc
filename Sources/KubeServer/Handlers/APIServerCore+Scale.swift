import KubeModel

// The `scale` subresource (`kubectl scale`, HorizontalPodAutoscalers): an `autoscaling/v1` Scale
// view of a Deployment, a StatefulSet or a custom resource that declares one. GET shows the
// desired replicas, the observed ones and the Pods' selector; PUT and PATCH change only the
// desired replicas of the object, through the object's own update (admission, resourceVersion
// checks, watch events), as kube-apiserver's scale REST does.

extension APIServerCore {
    /// The Scale of `name`.
    public func getScale(_ definition: ResourceDefinition, namespace: String, name: String) throws(APIError) -> JSONValue {
        let scale = try scaleDefinition(definition)
        return Self.scale(of: try get(definition, namespace: namespace, name: name), scale, definition: definition)
    }

    /// Replaces the Scale: the object's desired replicas become the body's `spec.replicas`. A
    /// `metadata.resourceVersion` in the body must match the object's.
    public func updateScale(
        _ definition: ResourceDefinition, namespace: String, name: String, body: JSONValue, options: WriteOptions
    ) throws(APIError) -> JSONValue {
        let scale = try scaleDefinition(definition)
        guard let replicas = body[path: ["spec", "replicas"]]?.intValue else {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, errors: [.required("spec.replicas")])
        }
        guard replicas >= 0, replicas <= Int64(Int32.max) else {
            throw APIError.invalid(
                kind: "Scale", group: "autoscaling", name: name,
                errors: [.invalid("spec.replicas", .int(replicas), "must be greater than or equal to 0")])
        }
        var object = try get(definition, namespace: namespace, name: name)
        if let version = body[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty {
            object[path: ["metadata", "resourceVersion"]] = .string(version)
        }
        object[path: scale.specReplicasPath] = .int(replicas)
        let updated = try update(definition, namespace: namespace, name: name, subresource: "", body: object, options: options)
        return Self.scale(of: updated.object, scale, definition: definition)
    }

    /// Patches the Scale (merge, strategic merge or JSON patch; a Scale has no lists, so the
    /// first two agree), then updates it.
    public func patchScale(
        _ definition: ResourceDefinition, namespace: String, name: String, type: PatchType, body: [UInt8], options: WriteOptions
    ) throws(APIError) -> JSONValue {
        let current = try getScale(definition, namespace: namespace, name: name)
        let patch: JSONValue
        do {
            patch = try JSONValue(parsing: body)
        } catch {
            throw APIError.badRequest("the patch is not valid JSON: \(error)")
        }
        var patched: JSONValue
        switch type {
        case .merge, .strategicMerge:
            patched = JSONMergePatch.apply(patch, to: current)
        case .json:
            do {
                patched = try JSONPatch.apply(patch, to: current)
            } catch {
                throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, errors: [.invalid("", patch, error.description)])
            }
        case .apply:
            throw APIError.unsupportedMediaType(type.rawValue)
        }
        // A patch does not carry a precondition unless it sets one.
        if patched[path: ["metadata", "resourceVersion"]] == current[path: ["metadata", "resourceVersion"]] {
            patched[path: ["metadata", "resourceVersion"]] = nil
        }
        return try updateScale(definition, namespace: namespace, name: name, body: patched, options: options)
    }

    private func scaleDefinition(_ definition: ResourceDefinition) throws(APIError) -> ScaleSubresource {
        guard let scale = definition.scale else { throw APIError.resourceNotFound }
        return scale
    }

    /// The `autoscaling/v1` Scale of `object`.
    static func scale(of object: JSONValue, _ scale: ScaleSubresource, definition: ResourceDefinition) -> JSONValue {
        var metadata: JSONValue = .emptyObject
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = object[path: ["metadata", key]] { metadata[key] = value }
        }
        let selector: String
        if let path = scale.labelSelectorPath {
            selector = object[path: path]?.stringValue ?? ""
        } else {
            selector = BuiltinPrinterColumns.formatLabelSelector(object[path: ["spec", "selector"]])
        }
        var status: JSONValue = ["replicas": .int(object[path: scale.statusReplicasPath]?.intValue ?? 0)]
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
            "spec": ["replicas": .int(object[path: scale.specReplicasPath]?.intValue ?? 0)],
            "status": status,
        ]
    }
}
