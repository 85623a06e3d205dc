import KubeModel

// Admission of a proposed object state (create or update): defaulting, pruning of unknown fields
// of custom resources (rejected under fieldValidation=Strict, warned about under Warn), and
// validation of metadata, built-in kinds and custom-resource schemas with their CEL rules.
// Also the side effects of Service writes (cluster IP and node port allocation).

extension APIServerCore {
    /// Returns the warnings for the response's `Warning` headers; throws 400/422 on rejection.
    func admit(_ object: inout JSONValue, as definition: ResourceDefinition, old: JSONValue?, options: WriteOptions)
        throws(APIError) -> [String]
    {
        var warnings: [String] = []
        BuiltinDefaults.apply(to: &object, kind: definition.kind, group: definition.group, isCreate: old == nil)
        var errors: [FieldError] = []
        if let schema = customResourceSchema(for: definition) {
            let unknown = ObjectAdmission.pruneAndDefault(&object, schema: schema)
            if !unknown.isEmpty {
                switch options.fieldValidation {
                case .strict:
                    let list = unknown.map { "unknown field \"\($0)\"" }
                    throw .badRequest(
                        "\(definition.kind) in version \"\(definition.version)\" cannot be handled as a \(definition.kind): strict decoding error: \(list.joined(separator: ", "))")
                case .warn:
                    warnings += unknown.map { "unknown field \"\($0)\"" }
                case .ignore:
                    break
                }
            }
            // As apiextensions' validator: ObjectMeta first, then the schema and the rules.
            errors += ObjectAdmission.validateMetadata(object, definition: definition, old: old)
            errors += ObjectAdmission.validateCustomResource(object, old: old, schema: schema, metadataErrors: errors)
        } else {
            errors += ObjectAdmission.validateMetadata(object, definition: definition, old: old)
        }
        if !definition.isCustomResource {
            errors += ObjectAdmission.validateBuiltin(object, definition: definition, old: old)
        }
        if !errors.isEmpty {
            throw .invalid(kind: definition.kind, group: definition.group, name: object.metaName, errors: errors)
        }
        return warnings
    }

    /// Assigns cluster IPs and node ports to Services (keeping those already assigned on update).
    func allocate(_ object: inout JSONValue, as definition: ResourceDefinition, old: JSONValue?) throws(APIError) {
        guard definition.group.isEmpty && definition.kind == "Service" else { return }
        var spec = object["spec"] ?? .emptyObject
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        let name = object.metaName
        func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> APIError {
            .invalid(kind: "Service", group: "", name: name, errors: [.invalid(field, value, detail)])
        }
        if type == "ExternalName" {
            object["spec"] = spec
            return
        }
        let oldIP = old?[path: ["spec", "clusterIP"]]?.stringValue ?? ""
        var ip = spec["clusterIP"]?.stringValue ?? spec["clusterIPs"]?[0]?.stringValue ?? ""
        if let old {
            if ip.isEmpty { ip = oldIP }
            if ip != oldIP && !oldIP.isEmpty {
                throw invalid("spec.clusterIPs[0]", .string(ip), "may not change once set")
            }
            _ = old
        } else if ip.isEmpty {
            guard let next = clusterIPs.allocateNext() else {
                throw .internal("failed to allocate a serviceIP: range is full")
            }
            ip = next
        } else if ip != "None" {
            guard clusterIPs.contains(ip) else {
                throw invalid(
                    "spec.clusterIPs", .array([.string(ip)]),
                    "failed to allocate IP \(ip): the provided IP (\(ip)) is not in the valid range. The range of valid IPs is \(options.serviceClusterIPRange)")
            }
            guard clusterIPs.allocate(ip) else {
                throw invalid("spec.clusterIPs", .array([.string(ip)]), "failed to allocate IP \(ip): provided IP is already allocated")
            }
        }
        spec["clusterIP"] = .string(ip)
        spec["clusterIPs"] = [.string(ip)]
        if ip != "None" || spec["ipFamilies"] == nil {
            if spec["ipFamilies"] == nil { spec["ipFamilies"] = ["IPv4"] }
            if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = "SingleStack" }
        }
        let needsNodePorts = type == "NodePort" || (type == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"]?.boolValue != false)
        if needsNodePorts, let ports = spec["ports"]?.arrayValue {
            let oldPorts = old?[path: ["spec", "ports"]]?.arrayValue ?? []
            var assigned: [JSONValue] = []
            for port in ports {
                var port = port
                if port["nodePort"]?.intValue == nil {
                    let previous = oldPorts.first {
                        $0["port"] == port["port"] && ($0["protocol"] ?? "TCP") == (port["protocol"] ?? "TCP")
                    }?["nodePort"]?.intValue
                    if let previous {
                        port["nodePort"] = .int(previous)
                    } else if let next = nodePorts.allocateNext() {
                        port["nodePort"] = .int(Int64(next))
                    }
                } else if let requested = port["nodePort"]?.intValue,
                    !oldPorts.contains(where: { $0["nodePort"]?.intValue == requested })
                {
                    if !nodePorts.allocate(Int(requested)) {
                        throw invalid(
                            "spec.ports[\(assigned.count)].nodePort", .int(requested),
                            "provided port is already allocated")
                    }
                }
                assigned.append(port)
            }
            spec["ports"] = .array(assigned)
        }
        object["spec"] = spec
    }

    /// Gives back what `allocate` took, for dry runs, failed creates and deletions.
    func release(_ object: JSONValue, as definition: ResourceDefinition) {
        guard definition.group.isEmpty && definition.kind == "Service" else { return }
        if let ip = object[path: ["spec", "clusterIP"]]?.stringValue, ip != "None" { clusterIPs.release(ip) }
        for port in object[path: ["spec", "ports"]]?.arrayValue ?? [] {
            if let nodePort = port["nodePort"]?.intValue { nodePorts.release(Int(nodePort)) }
        }
    }

    /// Runs after a successful create or update; returns extra warnings.
    func afterWrite(_ object: JSONValue, old: JSONValue?, as definition: ResourceDefinition) -> [String] {
        if definition.group == "apiextensions.k8s.io" && definition.kind == "CustomResourceDefinition" {
            customResourceDefinitionChanged(object)
        }
        return []
    }

    /// Runs after an object left the store.
    func afterDelete(_ object: JSONValue, as definition: ResourceDefinition) -> [String] {
        release(object, as: definition)
        if definition.group == "apiextensions.k8s.io" && definition.kind == "CustomResourceDefinition" {
            customResourceDefinitionRemoved(object)
        }
        return []
    }
}
