import KubeModel

// Schemas shared by several kinds: the standard condition, the object envelope, ports, and the
// reference to an exported object.

extension OpenAPISchema {
    /// The root of a kind's schema: apiVersion, kind, metadata plus the kind's own fields, with the
    /// reference's name-length rule when `limitsNameLength` is set.
    static func root(
        _ description: String, properties: [String: OpenAPISchema], required: [String] = [],
        limitsNameLength: Bool
    ) -> OpenAPISchema {
        var all = properties
        all["apiVersion"] = .string(
            "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.")
        all["kind"] = .string(
            "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.")
        all["metadata"] = OpenAPISchema(keywords: ["type": .string("object")])
        let schema = OpenAPISchema.object(description, properties: all, required: required)
        guard limitsNameLength else { return schema }
        return schema.validations([(rule: "size(self.metadata.name) < 64", message: "metadata.name max length is 63")])
    }

    /// `metav1.Condition` with the apimachinery's constraints.
    static let condition = OpenAPISchema.object(
        "Condition contains details for one aspect of the current state of this API Resource.",
        properties: [
            "type": OpenAPISchema.string("type of condition in CamelCase or in foo.example.com/CamelCase.")
                .maxLength(316)
                .pattern(#"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#),
            "status": OpenAPISchema.string("status of the condition, one of True, False, Unknown.")
                .enumValues(["True", "False", "Unknown"]),
            "observedGeneration": OpenAPISchema.int64(
                "observedGeneration represents the .metadata.generation that the condition was set based upon.")
                .minimum(0),
            "lastTransitionTime": .dateTime(
                "lastTransitionTime is the last time the condition transitioned from one status to another."),
            "reason": OpenAPISchema.string(
                "reason contains a programmatic identifier indicating the reason for the condition's last transition.")
                .minLength(1).maxLength(1024)
                .pattern(#"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#),
            "message": OpenAPISchema.string(
                "message is a human readable message indicating details about the transition. This may be an empty string.")
                .maxLength(32768),
        ],
        required: ["lastTransitionTime", "message", "reason", "status", "type"])

    /// A `conditions` list: a list-map keyed by `type`.
    static func conditions(_ description: String) -> OpenAPISchema {
        OpenAPISchema.array(description, of: condition).listMap(keys: ["type"])
    }

    /// The fleet's `ServicePort` (a core ServicePort without nodePort).
    static let servicePort = OpenAPISchema.object(
        "ServicePort represents the port on which the service is exposed.",
        properties: [
            "name": .string(
                "The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names."),
            "protocol": OpenAPISchema.string(
                "The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP.")
                .enumValues(["TCP", "UDP", "SCTP"]).defaultValue(.string("TCP")),
            "appProtocol": .string("The application protocol for this port."),
            "port": OpenAPISchema.int32("The port that will be exposed by this service.")
                .minimum(1).maximum(65535),
            "targetPort": .intOrString(
                "Number or name of the port to access on the pods targeted by the service."),
        ],
        required: ["port"])

    /// `ExportedObjectReference`: where an exported object came from.
    static let exportedObjectReference = OpenAPISchema.object(
        "ExportedObjectReference helps refer to an object exported from a member cluster.",
        properties: [
            "clusterId": .string("The ID of the cluster where the object is exported."),
            "apiVersion": .string("The API version of the referred object."),
            "kind": .string("The kind of the referred object."),
            "namespace": .string("The namespace of the referred object."),
            "name": .string("The name of the referred object."),
            "resourceVersion": .string("The resource version of the referred object."),
            "generation": .int64("The generation of the referred object."),
            "uid": .string("The UID of the referred object."),
            "namespacedName": .string("The namespaced name of the referred object (namespace/name)."),
            "exportedSince": .dateTime(
                "The timestamp from a local clock when the generation of the object is exported."),
        ],
        required: ["clusterId", "generation", "kind", "name", "namespace", "namespacedName", "resourceVersion", "uid"]
    ).atomicMap()

    /// The status shared by ServiceImport and InternalServiceImport.
    static let serviceImportStatus = OpenAPISchema.object(
        "ServiceImportStatus describes derived state of an imported service.",
        properties: [
            "ips": OpenAPISchema.array(
                "ip will be used as the VIP for this service when type is ClusterSetIP.", of: .string())
                .maxItems(1),
            "type": OpenAPISchema.string(
                "type defines the type of this service. Must be ClusterSetIP or Headless.")
                .enumValues(["ClusterSetIP", "Headless"]),
            "sessionAffinity": .string(
                "Supports \"ClientIP\" and \"None\". Used to maintain session affinity."),
            "sessionAffinityConfig": .sessionAffinityConfig,
            "ports": OpenAPISchema.array("ports are the resolved ports of the service.", of: servicePort)
                .atomicList(),
            "clusters": .clusterStatusList,
        ])

    /// core/v1 `SessionAffinityConfig`.
    static let sessionAffinityConfig = OpenAPISchema.object(
        "sessionAffinityConfig contains session affinity configuration.",
        properties: [
            "clientIP": .object(
                "clientIP contains the configurations of Client IP based session affinity.",
                properties: [
                    "timeoutSeconds": .int32(
                        "timeoutSeconds specifies the seconds of ClientIP type session sticky time.")
                ])
        ])

    /// The exporting clusters of a ServiceImport: a list-map keyed by `cluster`.
    static let clusterStatusList = OpenAPISchema.array(
        "clusters is the list of exporting clusters from which this service was derived.",
        of: .object(
            "ClusterStatus contains service configuration mapped to a specific source cluster.",
            properties: [
                "cluster": .string(
                    "cluster is the name of the exporting cluster. Must be a valid RFC-1123 DNS label.")
            ],
            required: ["cluster"])
    ).listMap(keys: ["cluster"])

    /// core/v1 `LoadBalancerStatus`.
    static let loadBalancerStatus = OpenAPISchema.object(
        "LoadBalancerStatus represents the status of a load-balancer.",
        properties: [
            "ingress": OpenAPISchema.array(
                "Ingress is a list containing ingress points for the load-balancer.",
                of: .object(
                    "LoadBalancerIngress represents the status of a load-balancer ingress point.",
                    properties: [
                        "ip": .string("IP is set for load-balancer ingress points that are IP based."),
                        "hostname": .string("Hostname is set for load-balancer ingress points that are DNS based."),
                        "ipMode": .string("IPMode specifies how the load-balancer IP behaves (VIP or Proxy)."),
                        "ports": OpenAPISchema.array(
                            "Ports is a list of records of service ports.",
                            of: .object(
                                properties: [
                                    "port": .int32("Port is the port number of the service port of which status is recorded here."),
                                    "protocol": .string("Protocol is the protocol of the service port of which status is recorded here."),
                                    "error": .string("Error is to record the problem with the service port."),
                                ],
                                required: ["error", "port", "protocol"])
                        ).atomicList(),
                    ])
            ).atomicList()
        ])

    /// discovery/v1 `EndpointPort`.
    static let endpointPort = OpenAPISchema.object(
        "EndpointPort represents a Port used by an EndpointSlice.",
        properties: [
            "name": .string("name represents the name of this port."),
            "port": .int32("port represents the port number of the endpoint."),
            "protocol": .string("protocol represents the IP protocol for this port. Must be UDP, TCP, or SCTP."),
            "appProtocol": .string("The application protocol for this port."),
        ]
    ).atomicMap()

    /// `{name}`: a reference to an object in the same namespace.
    static func localReference(_ description: String, nameDescription: String) -> OpenAPISchema {
        .object(description, properties: ["name": .string(nameDescription)], required: ["name"])
    }
}
