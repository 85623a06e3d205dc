import FleetAPI
import FleetNetworking
import Foundation
import KubeModel
import Testing

// The rendered manifests of config/ (kubectl kustomize; skipped without kubectl) and the image
// build files: what can be checked without a cluster or a container engine.

@Suite struct DeploymentManifestTests {
    /// The hub-side Role of a member's agents grants exactly MemberAgentHubAccess.rules (the Swift
    /// list LocalFleet grants), in fleet-member-<name> only, to the ServiceAccount whose token
    /// the member's agents use.
    @Test(.enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
    func memberHubAccessIsTheSwiftListInTheMembersNamespaceOnly() throws {
        let rendered = try RenderedManifests.render(
            "overlays/hub-member", inputs: ["overlays/hub-member/member.env": "MEMBER_CLUSTER_NAME=east-2\n"])
        #expect(rendered.ofKind("ClusterRole").isEmpty && rendered.ofKind("ClusterRoleBinding").isEmpty)
        #expect(rendered.ofKind("ConfigMap").isEmpty, "the input ConfigMap is local to kustomize")
        let role: Role = try #require(rendered.ofKind("Role").first).decode()
        #expect(rendered.ofKind("Role").count == 1)
        #expect(role.metadata.namespace == FleetNamespaces.member("east-2"))
        #expect(Grant.of(role.rules ?? []) == Grant.of(MemberAgentHubAccess.rules), "config/member-hub-access/rbac.yaml and MemberAgentHubAccess.rules differ")
        let binding: RoleBinding = try #require(rendered.ofKind("RoleBinding").first).decode()
        #expect(binding.metadata.namespace == FleetNamespaces.member("east-2"))
        #expect(binding.roleRef.kind == "Role" && binding.roleRef.name == role.metadata.name)
        let subject = try #require(binding.subjects?.first)
        #expect(subject.kind == "ServiceAccount")
        #expect(
            "system:serviceaccount:\(subject.namespace ?? ""):\(subject.name)" == MemberAgentHubAccess.serviceAccountUser(member: "east-2"))
        for document in rendered.documents {
            #expect(document[path: ["metadata", "namespace"]]?.stringValue == FleetNamespaces.member("east-2"))
        }
    }

    /// The hub overlay installs every networking CRD, the member overlay the member ones.
    @Test(.enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
    func overlaysInstallTheRightCRDs() throws {
        func names(_ rendered: RenderedManifests) -> Set<String> {
            Set(rendered.ofKind("CustomResourceDefinition").compactMap { $0[path: ["metadata", "name"]]?.stringValue })
        }
        #expect(names(try RenderedManifests.render("overlays/hub")) == Set(FleetCRDs.networking.map(\.name)))
        #expect(names(try RenderedManifests.render("overlays/member")) == Set(FleetCRDs.member.map(\.name)))
        #expect(names(try RenderedManifests.render("crd")) == Set((FleetCRDs.networking + FleetCRDs.multiClusterServicesAPI).map(\.name)))
    }

    /// Every Deployment: fleet-system, hardened pod and container, the reference's resources,
    /// its ports, and probes on the (hub-side) health port.
    @Test(.enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
    func deploymentsAreHardenedAndProbed() throws {
        let hub = try RenderedManifests.render("overlays/hub")
        let member = try RenderedManifests.render(
            "overlays/member",
            inputs: [
                "overlays/member/hub-connection.env":
                    "HUB_SERVER_URL=https://hub.example:443\nMEMBER_CLUSTER_NAME=east-2\nHUB_CERTIFICATE_AUTHORITY=Q0E=\n"
            ])
        let expectedPorts: [String: Set<Int64>] = [
            "hub-net-controller-manager": [8080, 8081],
            "member-net-controller-manager": [8080, 8081, 8090, 8091],
            "mcs-controller-manager": [8080, 8081, 8090, 8091],
        ]
        let deployments = hub.ofKind("Deployment") + member.ofKind("Deployment")
        #expect(Set(deployments.compactMap { $0[path: ["metadata", "name"]]?.stringValue }) == Set(expectedPorts.keys))
        for deployment in deployments {
            let name = deployment[path: ["metadata", "name"]]?.stringValue ?? "?"
            #expect(deployment[path: ["metadata", "namespace"]]?.stringValue == FleetNamespaces.fleetSystem, "\(name)")
            let pod = try #require(deployment[path: ["spec", "template", "spec"]])
            #expect(pod[path: ["securityContext", "runAsNonRoot"]]?.boolValue == true, "\(name)")
            #expect(pod[path: ["securityContext", "runAsUser"]]?.intValue == 65532, "\(name)")
            let container = try #require(pod["containers"]?[0])
            #expect(container[path: ["securityContext", "readOnlyRootFilesystem"]]?.boolValue == true, "\(name)")
            #expect(container[path: ["securityContext", "allowPrivilegeEscalation"]]?.boolValue == false, "\(name)")
            #expect(container[path: ["securityContext", "capabilities", "drop"]]?.arrayValue == ["ALL"], "\(name)")
            #expect(container[path: ["resources", "limits", "cpu"]]?.stringValue == "500m", "\(name)")
            #expect(container[path: ["resources", "limits", "memory"]]?.stringValue == "1Gi", "\(name)")
            #expect(container[path: ["resources", "requests", "cpu"]]?.stringValue == "100m", "\(name)")
            #expect(container[path: ["resources", "requests", "memory"]]?.stringValue == "128Mi", "\(name)")
            let ports = container["ports"]?.arrayValue ?? []
            #expect(Set(ports.compactMap { $0["containerPort"]?.intValue }) == expectedPorts[name], "\(name)")
            for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
                #expect(container[path: [probe, "httpGet", "path"]]?.stringValue == path, "\(name) \(probe)")
                let portName = container[path: [probe, "httpGet", "port"]]?.stringValue
                let port = ports.first { $0["name"]?.stringValue == portName }?["containerPort"]?.intValue
                #expect(port == 8081, "\(name) \(probe) probes the health port")
            }
            // The manager accepts every argument (parsed as the binary parses them).
            let arguments = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(arguments.contains("--leader-election-namespace=fleet-system"), "\(name)")
            // The pod's name is the leader-election identity (a restarted container retakes its lease).
            let podName = (container["env"]?.arrayValue ?? []).first { $0["name"]?.stringValue == ManagerEnvironment.podName }
            #expect(podName?[path: ["valueFrom", "fieldRef", "fieldPath"]]?.stringValue == "metadata.name", "\(name) sets POD_NAME")
        }

        // Member binaries: the hub connection from the generated ConfigMap, the token file from
        // the hub-token Secret at CONFIG_PATH.
        let connection = try #require(member.ofKind("ConfigMap").first)
        #expect(connection[path: ["data", "HUB_SERVER_URL"]]?.stringValue == "https://hub.example:443")
        #expect(connection[path: ["data", "MEMBER_CLUSTER_NAME"]]?.stringValue == "east-2")
        #expect(connection[path: ["data", "HUB_CERTIFICATE_AUTHORITY"]]?.stringValue == "Q0E=")
        let connectionName = connection[path: ["metadata", "name"]]?.stringValue
        for deployment in member.ofKind("Deployment") {
            let pod = try #require(deployment[path: ["spec", "template", "spec"]])
            let env = pod["containers"]?[0]?["env"]?.arrayValue ?? []
            for variable in [HubConnection.hubServerURL, HubConnection.memberClusterName, HubConnection.hubCertificateAuthority] {
                let reference = env.first { $0["name"]?.stringValue == variable }?[path: ["valueFrom", "configMapKeyRef"]]
                #expect(reference?["name"]?.stringValue == connectionName && reference?["key"]?.stringValue == variable, "\(variable)")
            }
            let configPath = env.first { $0["name"]?.stringValue == HubConnection.configPath }?["value"]?.stringValue
            #expect(configPath == "/config/token")
            let mount = pod["containers"]?[0]?["volumeMounts"]?.arrayValue?.first { $0["mountPath"]?.stringValue == "/config" }
            let volume = pod["volumes"]?.arrayValue?.first { $0["name"] == mount?["name"] }
            #expect(volume?[path: ["secret", "secretName"]]?.stringValue == "hub-token")
        }
    }

    /// Users of a member get the MCS API through the built-in roles: ServiceExports writable by
    /// admin/edit, ServiceImports read-only for everyone (only member-net-controller-manager writes
    /// them), and only member-net-controller-manager's own role may write ServiceImports.
    @Test(.enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
    func onlyTheControllerWritesServiceImports() throws {
        let member = try RenderedManifests.render(
            "overlays/member",
            inputs: ["overlays/member/hub-connection.env": "HUB_SERVER_URL=https://hub.example:443\nMEMBER_CLUSTER_NAME=east-2\nHUB_CERTIFICATE_AUTHORITY=\n"])
        let roles: [ClusterRole] = try member.ofKind("ClusterRole").map { try $0.decode() }
        let writes: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]
        func grants(_ role: ClusterRole, _ resource: String) -> Set<String> {
            Set(Grant.of(role.rules ?? []).filter { $0.group == MCSGroup.name && $0.resource == resource }.map(\.verb))
        }
        let edit = try #require(roles.first { $0.metadata.labels?["rbac.authorization.k8s.io/aggregate-to-edit"] == "true" })
        #expect(edit.metadata.labels?["rbac.authorization.k8s.io/aggregate-to-admin"] == "true")
        #expect(grants(edit, MCSServiceExport.plural).isSuperset(of: writes))
        #expect(grants(edit, MCSServiceImport.plural) == ["get", "list", "watch"])
        let view = try #require(roles.first { $0.metadata.labels?["rbac.authorization.k8s.io/aggregate-to-view"] == "true" })
        #expect(grants(view, MCSServiceImport.plural) == ["get", "list", "watch"])
        let writers = roles.filter { !grants($0, MCSServiceImport.plural).isDisjoint(with: writes) }.compactMap(\.metadata.name)
        #expect(writers == ["member-net-controller-manager-role"])
    }

    /// The CoreDNS configuration shipped for real members: a server block for clusterset.local with
    /// the multicluster plugin (the same block in the AKS coredns-custom ConfigMap), and RBAC that
    /// lets CoreDNS's ServiceAccount list and watch exactly what the plugin reads.
    @Test(.enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
    func coreDNSServesClusterSetLocalFromServiceImportsAndSlices() throws {
        let root = RenderedManifests.repositoryRoot
        let corefile = try String(contentsOf: root.appendingPathComponent("config/coredns/Corefile.clusterset"), encoding: .utf8)
        let block = corefile.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        #expect(block.contains("clusterset.local:53 {") && block.contains("multicluster clusterset.local"))
        #expect(!block.contains("cluster.local:53"), "cluster.local stays with the kubernetes plugin")
        let custom = try RenderedManifests(
            yaml: try String(contentsOf: root.appendingPathComponent("config/coredns/coredns-custom.yaml"), encoding: .utf8))
        let server = try #require(custom.ofKind("ConfigMap").first?[path: ["data", "clusterset.server"]]?.stringValue)
        #expect(server.trimmingCharacters(in: .whitespacesAndNewlines) == block.trimmingCharacters(in: .whitespacesAndNewlines))

        let rendered = try RenderedManifests.render("coredns")
        let role: ClusterRole = try #require(rendered.ofKind("ClusterRole").first).decode()
        #expect(Grant.of(role.rules ?? []) == [
            Grant(group: MCSGroup.name, resource: "serviceimports", verb: "list"),
            Grant(group: MCSGroup.name, resource: "serviceimports", verb: "watch"),
            Grant(group: "discovery.k8s.io", resource: "endpointslices", verb: "list"),
            Grant(group: "discovery.k8s.io", resource: "endpointslices", verb: "watch"),
        ])
        let binding: ClusterRoleBinding = try #require(rendered.ofKind("ClusterRoleBinding").first).decode()
        #expect(binding.roleRef.name == role.metadata.name)
        #expect(binding.subjects?.first.map { "\($0.namespace ?? "")/\($0.name)" } == "kube-system/coredns")
    }

    /// The rendered Deployments' arguments are accepted by the binaries' own flag parsing.
    @Test(.enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
    func deploymentArgumentsParse() throws {
        let rendered = try RenderedManifests.render("overlays/hub").ofKind("Deployment")
            + RenderedManifests.render("overlays/member").ofKind("Deployment")
        for deployment in rendered {
            let name = deployment[path: ["metadata", "name"]]?.stringValue ?? "?"
            let arguments = (deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            switch name {
            case "hub-net-controller-manager":
                let options = try HubNetOptions.parse(GoFlagSyntax.normalize(arguments, booleanFlags: HubNetOptions.booleanFlags))
                #expect(options.enableTrafficManagerFeature.value == false)
                #expect(options.forceDeleteWaitTime.value == .seconds(120))
            case "member-net-controller-manager":
                let options = try MemberNetOptions.parse(GoFlagSyntax.normalize(arguments, booleanFlags: MemberNetOptions.booleanFlags))
                #expect(options.memberHealthProbeBindAddress == ":8091" && options.common.hubHealthProbeBindAddress == ":8081")
            case "mcs-controller-manager":
                let options = try MCSOptions.parse(GoFlagSyntax.normalize(arguments, booleanFlags: MCSOptions.booleanFlags))
                #expect(options.healthProbeBindAddress == ":8091" && options.common.hubHealthProbeBindAddress == ":8081")
            default:
                Issue.record("unexpected Deployment \(name)")
            }
        }
    }

    /// What can be checked of the image build without a container engine: the Dockerfile builds
    /// a static-stdlib release binary of the chosen component and runs it as 65532; the script
    /// builds exactly the executables the package defines.
    /// config/components/traffic-manager on the hub and member overlays: the feature flag (parsed
    /// as the binaries parse their arguments: the last value wins) and the cloud config Secret at
    /// the reference's path, on hub-net and member-net only.
    @Test(.enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
    func theTrafficManagerComponentTurnsTheFeatureOn() throws {
        func withComponent(_ overlay: String) throws -> String {
            let text = try String(contentsOf: RenderedManifests.repositoryRoot.appendingPathComponent("config/overlays/\(overlay)/kustomization.yaml"), encoding: .utf8)
            return text + "components:\n- ../../components/traffic-manager\n"
        }
        let hub = try RenderedManifests.render("overlays/hub", inputs: ["overlays/hub/kustomization.yaml": try withComponent("hub")])
        let member = try RenderedManifests.render(
            "overlays/member",
            inputs: [
                "overlays/member/kustomization.yaml": try withComponent("member"),
                "overlays/member/hub-connection.env": "HUB_SERVER_URL=https://hub.example:443\nMEMBER_CLUSTER_NAME=east-2\nHUB_CERTIFICATE_AUTHORITY=Q0E=\n",
            ])
        func container(_ rendered: RenderedManifests, _ name: String) throws -> Container {
            let deployment: Deployment = try #require(rendered.object("Deployment", name)).decode()
            return try #require(deployment.spec?.template.spec?.containers.first)
        }
        func volumes(_ rendered: RenderedManifests, _ name: String) throws -> [String] {
            let deployment: Deployment = try #require(rendered.object("Deployment", name)).decode()
            return (deployment.spec?.template.spec?.volumes ?? []).map(\.name)
        }
        let hubArgs = try container(hub, "hub-net-controller-manager").args ?? []
        let hubOptions = try HubNetOptions.parse(GoFlagSyntax.normalize(hubArgs, booleanFlags: HubNetOptions.booleanFlags))
        #expect(hubOptions.enableTrafficManagerFeature.value && hubOptions.cloudConfig == "/etc/kubernetes/provider/azure.json")
        let memberArgs = try container(member, "member-net-controller-manager").args ?? []
        let memberOptions = try MemberNetOptions.parse(GoFlagSyntax.normalize(memberArgs, booleanFlags: MemberNetOptions.booleanFlags))
        #expect(memberOptions.enableTrafficManagerFeature.value && memberOptions.cloudConfig == "/etc/kubernetes/provider/azure.json")
        for (rendered, name) in [(hub, "hub-net-controller-manager"), (member, "member-net-controller-manager")] {
            #expect(try container(rendered, name).volumeMounts?.contains { $0.name == "azure-cloud-config" && $0.mountPath == "/etc/kubernetes/provider" } == true)
            #expect(try volumes(rendered, name).contains("azure-cloud-config"))
        }
        #expect(try volumes(member, "member-net-controller-manager").contains("hub-token"), "the member's other volumes stay")
        #expect(try container(member, "mcs-controller-manager").args?.contains { $0.contains("traffic-manager") } != true)
    }

    @Test func imageBuildFiles() throws {
        let root = RenderedManifests.repositoryRoot
        let dockerfile = try String(contentsOf: root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("swift build -c release --static-swift-stdlib --product \"${COMPONENT}\""))
        #expect(dockerfile.contains("ARG COMPONENT"))
        #expect(dockerfile.contains("\nUSER 65532"))
        #expect(dockerfile.contains("/workspace/config/crd/bases"), "net-crd-installer's fixed CRD directory")
        #expect(dockerfile.components(separatedBy: "\nFROM ").count == 3, "two stages")
        let script = try String(contentsOf: root.appendingPathComponent("scripts/build-images.sh"), encoding: .utf8)
        let components = ["hub-net-controller-manager", "member-net-controller-manager", "mcs-controller-manager", "net-crd-installer"]
        let package = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        for component in components {
            #expect(script.contains("<REGISTRY>/\(component):<TAG>"), "\(component) tag documented")
            #expect(script.contains(component), "\(component) built")
            #expect(package.contains(".executable(name: \"\(component)\""), "\(component) is a product")
        }
        #expect(FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("scripts/build-images.sh").path))
    }
}
