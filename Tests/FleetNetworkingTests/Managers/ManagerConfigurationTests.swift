import FleetAPI
import Foundation
import KubeClient
import Testing

@testable import FleetNetworking

// The managers' flags and environment, parsed and validated without any cluster.

@Suite struct ManagerConfigurationTests {
    static func hubStub(_: String?) throws -> ClientConfiguration { ClientConfiguration(server: "https://hub.example:6443") }
    static func memberStub(_: String?) throws -> ClientConfiguration { ClientConfiguration(server: "https://member.example:6443") }

    static func tokenFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        try "secret-token".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func environment(token: String) -> [String: String] {
        [
            HubConnection.memberClusterName: "member-1", HubConnection.hubServerURL: "https://hub.example:6443",
            HubConnection.configPath: token,
        ]
    }

    static let pem = """
        -----BEGIN CERTIFICATE-----
        MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUgZm9yIHRlc3RzMAoGCCqGSM49BAMC
        -----END CERTIFICATE-----

        """

    static func error(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    // MARK: Go flag syntax

    @Test func goFlagSyntaxIsNormalized() {
        let booleans: Set<String> = ["leader-elect", "add_dir_header"]
        #expect(
            GoFlagSyntax.normalize(["-leader-elect", "--add_dir_header", "-v=2", "--leader-elect=false", "--kubeconfig", "k"], booleanFlags: booleans)
                == ["--leader-elect=true", "--add_dir_header=true", "--v=2", "--leader-elect=false", "--kubeconfig", "k"])
        #expect(GoFlagSyntax.parseBool("T") == true)
        #expect(GoFlagSyntax.parseBool("0") == false)
        #expect(GoFlagSyntax.parseBool("yes") == nil)
    }

    @Test func goDurationsParseAndPrint() {
        #expect(GoFlagSyntax.parseDuration("2s") == .seconds(2))
        #expect(GoFlagSyntax.parseDuration("15m") == .seconds(900))
        #expect(GoFlagSyntax.parseDuration("2m0s") == .seconds(120))
        #expect(GoFlagSyntax.parseDuration("1h30m") == .seconds(5400))
        #expect(GoFlagSyntax.parseDuration("500ms") == .milliseconds(500))
        #expect(GoFlagSyntax.parseDuration("1.5s") == .milliseconds(1500))
        #expect(GoFlagSyntax.parseDuration("0") == .zero)
        #expect(GoFlagSyntax.parseDuration("10") == nil)
        #expect(GoFlagSyntax.parseDuration("5 minutes") == nil)
        #expect(GoFlagSyntax.formatDuration(.seconds(900)) == "15m0s")
        #expect(GoFlagSyntax.formatDuration(.seconds(2)) == "2s")
        #expect(GoFlagSyntax.formatDuration(.milliseconds(10)) == "10ms")
        #expect(GoFlagSyntax.formatDuration(.seconds(3600)) == "1h0m0s")
    }

    @Test func bindAddresses() throws {
        #expect(try BindAddress.parse(":8080", flag: "x") == BindAddress(host: "0.0.0.0", port: 8080))
        #expect(try BindAddress.parse("127.0.0.1:0", flag: "x") == BindAddress(host: "127.0.0.1", port: 0))
        #expect(try BindAddress.parse("[::1]:9", flag: "x") == BindAddress(host: "::1", port: 9))
        #expect(try BindAddress.parse("0", flag: "x").isDisabled)
        #expect(Self.error { _ = try BindAddress.parse("8080", flag: "metrics-bind-address") }.contains("--metrics-bind-address"))
        #expect(Self.error { _ = try BindAddress.parse(":99999", flag: "metrics-bind-address") }.contains("--metrics-bind-address"))
    }

    // MARK: hub-net-controller-manager

    @Test func hubDefaultsAreTheReferences() throws {
        let options = try HubNetOptions.parse([])
        let configuration = try options.configuration(loadHub: Self.hubStub)
        #expect(configuration.endpoints == ManagerEndpoints(metrics: BindAddress(host: "0.0.0.0", port: 8080), probes: BindAddress(host: "0.0.0.0", port: 8081)))
        #expect(configuration.leaderElection == LeaderElectionSettings(enabled: true, namespace: "fleet-system"))
        #expect(configuration.internalServiceExportRetryInterval == .seconds(2))
        #expect(configuration.forceDeleteWaitTime == .seconds(15 * 60))
        #expect(configuration.enableV1Beta1APIs)
        #expect(configuration.enableTrafficManagerFeature)
        #expect(options.cloudConfig == "/etc/kubernetes/provider/azure.json")
        let names = options.flagValues.map(\.0)
        #expect(names == names.sorted())
        for flag in [
            "metrics-bind-address", "health-probe-bind-address", "leader-elect", "leader-election-namespace",
            "internalserviceexport-retry-interval", "force-delete-wait-time", "enable-v1beta1-apis",
            "enable-traffic-manager-feature", "cloud-config", "kubeconfig", "v", "add_dir_header",
        ] {
            #expect(names.contains(flag), "flag \(flag) is logged")
        }
    }

    @Test func hubFlagsInGoSyntax() throws {
        let arguments = GoFlagSyntax.normalize(
            [
                "--leader-elect=false", "-force-delete-wait-time=2m0s", "--internalserviceexport-retry-interval=10ms", "--v=5",
                "--add_dir_header", "--enable-traffic-manager-feature=false", "--metrics-bind-address=0",
                "--health-probe-bind-address=127.0.0.1:9443", "--leader-election-namespace=kube-system",
            ], booleanFlags: HubNetOptions.booleanFlags)
        let configuration = try HubNetOptions.parse(arguments).configuration(loadHub: Self.hubStub)
        #expect(!configuration.leaderElection.enabled)
        #expect(configuration.leaderElection.namespace == "kube-system")
        #expect(configuration.forceDeleteWaitTime == .seconds(120))
        #expect(configuration.internalServiceExportRetryInterval == .milliseconds(10))
        #expect(configuration.verbosity == 5)
        #expect(!configuration.enableTrafficManagerFeature)
        #expect(configuration.endpoints.metrics.isDisabled)
        #expect(configuration.endpoints.probes == BindAddress(host: "127.0.0.1", port: 9443))
        #expect(throws: (any Error).self) { try HubNetOptions.parse(["--leader-elect=maybe"]) }
        #expect(throws: (any Error).self) { try HubNetOptions.parse(["--force-delete-wait-time=soon"]) }
    }

    @Test func memberClusterControllerIsRecognisedByName() {
        #expect(HubNetControllerManager.isMemberClusterController("membercluster"))
        #expect(HubNetControllerManager.isMemberClusterController("hub-MemberCluster-controller"))
        #expect(!HubNetControllerManager.isMemberClusterController("internalmembercluster-ServiceExportImportAgent"))
        #expect(!HubNetControllerManager.isMemberClusterController("internalserviceexport"))
    }

    @Test func hubKubeconfigFailureNamesTheFlag() throws {
        let options = try HubNetOptions.parse(["--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(Self.error { _ = try options.configuration() }.contains("--kubeconfig"))
    }

    // MARK: member binaries

    @Test func memberNetDefaultsAndEnvironment() throws {
        let token = try Self.tokenFile()
        let configuration = try MemberNetOptions.parse([]).configuration(environment: Self.environment(token: token), loadMember: Self.memberStub)
        #expect(configuration.agent == .memberNet)
        #expect(configuration.agent.leaseNames == (LeaderElectionIDs.hub, LeaderElectionIDs.member))
        #expect(configuration.clusterName == "member-1")
        #expect(configuration.hubEndpoints == ManagerEndpoints(metrics: BindAddress(host: "0.0.0.0", port: 8080), probes: BindAddress(host: "0.0.0.0", port: 8081)))
        #expect(configuration.memberEndpoints == ManagerEndpoints(metrics: BindAddress(host: "0.0.0.0", port: 8090), probes: BindAddress(host: "0.0.0.0", port: 8091)))
        #expect(configuration.fleetSystemNamespace == "fleet-system")
        #expect(configuration.enableNetworkingFeatures && configuration.enableV1Beta1APIs && configuration.enableTrafficManagerFeature)
        #expect(configuration.hub.server == "https://hub.example:6443")
        #expect(configuration.hub.authentication == .tokenFile(path: token))
        #expect(configuration.hub.tls.certificateAuthorityPEM == nil)
        #expect(!configuration.hub.tls.insecureSkipVerify)
        #expect(configuration.member.server == "https://member.example:6443")
    }

    @Test func mcsUsesItsOwnMemberSideFlagsAndLeases() throws {
        let token = try Self.tokenFile()
        let arguments = GoFlagSyntax.normalize(
            ["--metrics-bind-address=:9090", "--health-probe-bind-address=:9091", "--enable-networking-features=false", "--tls-insecure"],
            booleanFlags: MCSOptions.booleanFlags)
        let options = try MCSOptions.parse(arguments)
        let configuration = try options.configuration(environment: Self.environment(token: token), loadMember: Self.memberStub)
        #expect(configuration.agent == .mcs)
        #expect(configuration.agent.leaseNames == (LeaderElectionIDs.mcsHub, LeaderElectionIDs.mcsMember))
        #expect(configuration.agent.agentType == AgentTypes.multiClusterServiceAgent)
        #expect(configuration.memberEndpoints.metrics.port == 9090)
        #expect(configuration.memberEndpoints.probes.port == 9091)
        #expect(configuration.hubEndpoints.metrics.port == 8080)
        #expect(!configuration.enableNetworkingFeatures)
        #expect(configuration.hub.tls.insecureSkipVerify)
        #expect(!options.flagValues.map(\.0).contains("enable-traffic-manager-feature"))
        #expect(throws: (any Error).self) { try MCSOptions.parse(["--enable-traffic-manager-feature=true"]) }
    }

    @Test func v1alpha1APIsAreRejectedWithTheReferenceMessage() throws {
        let token = try Self.tokenFile()
        let memberNet = try MemberNetOptions.parse(["--enable-v1alpha1-apis=true"])
        let reference = "v1alpha1 APIs are deprecated and no longer supported, please use v1beta1 APIs instead"
        #expect(Self.error { _ = try memberNet.configuration(environment: Self.environment(token: token), loadMember: Self.memberStub) } == reference)
        #expect(throws: (any Error).self) { try MCSOptions.parse(["--enable-v1alpha1-apis"]) }  // needs Go normalization
        let goStyle = try MCSOptions.parse(GoFlagSyntax.normalize(["--enable-v1alpha1-apis"], booleanFlags: MCSOptions.booleanFlags))
        #expect(Self.error { _ = try goStyle.configuration(environment: Self.environment(token: token), loadMember: Self.memberStub) } == reference)
    }

    @Test func missingEnvironmentVariablesAreNamed() throws {
        let token = try Self.tokenFile()
        let options = try MemberNetOptions.parse([])
        for variable in [HubConnection.memberClusterName, HubConnection.hubServerURL, HubConnection.configPath] {
            var environment = Self.environment(token: token)
            environment[variable] = nil
            let message = Self.error { _ = try options.configuration(environment: environment, loadMember: Self.memberStub) }
            #expect(message.contains(variable), "\(message)")
        }
        // Empty values are accepted as set (as the reference does), except the cluster name.
        var environment = Self.environment(token: token)
        environment[HubConnection.memberClusterName] = ""
        #expect(Self.error { _ = try options.configuration(environment: environment, loadMember: Self.memberStub) }.contains("MEMBER_CLUSTER_NAME"))
        environment = Self.environment(token: "/nonexistent/token")
        var retries = 0
        let message = Self.error {
            _ = try HubConnection.fromEnvironment(environment, tlsInsecure: false, retryDelay: { retries += 1 })
        }
        #expect(message.contains("CONFIG_PATH"))
        #expect(retries == 4)
        environment = Self.environment(token: token)
        environment[HubConnection.hubServerURL] = "not a url"
        #expect(Self.error { _ = try HubConnection.fromEnvironment(environment, tlsInsecure: false) }.contains("HUB_SERVER_URL"))
    }

    @Test func certificateAuthorityIsBase64PEM() throws {
        let token = try Self.tokenFile()
        var environment = Self.environment(token: token)
        environment[HubConnection.hubCertificateAuthority] = Data(Self.pem.utf8).base64EncodedString()
        let configuration = try HubConnection.fromEnvironment(environment, tlsInsecure: false)
        #expect(configuration.tls.certificateAuthorityPEM == Array(Self.pem.utf8))
        // Ignored with --tls-insecure.
        let insecure = try HubConnection.fromEnvironment(environment, tlsInsecure: true)
        #expect(insecure.tls.certificateAuthorityPEM == nil && insecure.tls.insecureSkipVerify)

        environment[HubConnection.hubCertificateAuthority] = "%%% not base64 %%%"
        #expect(Self.error { _ = try HubConnection.fromEnvironment(environment, tlsInsecure: false) }.contains("HUB_CERTIFICATE_AUTHORITY"))
        environment[HubConnection.hubCertificateAuthority] = Data("hello".utf8).base64EncodedString()
        #expect(Self.error { _ = try HubConnection.fromEnvironment(environment, tlsInsecure: false) }.contains("HUB_CERTIFICATE_AUTHORITY"))
    }

    @Test func kubeHeadersAreMIMELines() throws {
        let token = try Self.tokenFile()
        var environment = Self.environment(token: token)
        environment[HubConnection.hubKubeHeader] = "X-Tenant: blue\r\nX-Trace: a\n  b\n\n"
        let configuration = try HubConnection.fromEnvironment(environment, tlsInsecure: false)
        #expect(configuration.extraHeaders == [.init(name: "X-Tenant", value: "blue"), .init(name: "X-Trace", value: "a b")])
        for bad in ["no colon here", ": no name", "Authorization: Bearer x"] {
            environment[HubConnection.hubKubeHeader] = bad
            #expect(Self.error { _ = try HubConnection.fromEnvironment(environment, tlsInsecure: false) }.contains("HUB_KUBE_HEADER"), "\(bad)")
        }
    }

    @Test func hubKubeconfigReplacesTheEnvironment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hubkc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("hub.yaml").path
        try Kubeconfigs.plain(server: "http://127.0.0.1:6443").write(toFile: path, atomically: true, encoding: .utf8)
        let options = try MemberNetOptions.parse(["--hub-kubeconfig", path])
        let configuration = try options.configuration(environment: [HubConnection.memberClusterName: "member-2"], loadMember: Self.memberStub)
        #expect(configuration.hub.server == "http://127.0.0.1:6443")
        #expect(configuration.clusterName == "member-2")
        // The cluster name is still required.
        #expect(Self.error { _ = try options.configuration(environment: [:], loadMember: Self.memberStub) }.contains("MEMBER_CLUSTER_NAME"))
        let missing = try MemberNetOptions.parse(["--hub-kubeconfig", "/nonexistent"])
        #expect(Self.error { _ = try missing.configuration(environment: [HubConnection.memberClusterName: "m"], loadMember: Self.memberStub) }.contains("--hub-kubeconfig"))
    }
}

/// Kubeconfigs for the embedded (anonymous, plain HTTP) test servers.
enum Kubeconfigs {
    static func plain(server: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: cluster
          cluster:
            server: \(server)
        users:
        - name: anonymous
          user: {}
        contexts:
        - name: default
          context:
            cluster: cluster
            user: anonymous
        current-context: default

        """
    }
}
