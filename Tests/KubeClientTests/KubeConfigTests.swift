import Foundation
import KubeClient
import Testing

@Suite("kubeconfig parsing and merging")
struct KubeConfigTests {
    static let primary = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://dev.example:6443
            certificate-authority: certs/ca.pem
            tls-server-name: kubernetes.default
        - name: shared
          cluster:
            server: https://primary-shared.example
        users:
        - name: dev-user
          user:
            token: primary-token
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: work
        """

    static let secondary = """
        current-context: other
        clusters:
        - name: shared
          cluster:
            server: https://secondary-shared.example
            insecure-skip-tls-verify: true
        - name: extra
          cluster:
            server: https://extra.example
        users:
        - name: dev-user
          user:
            token: secondary-token
        - name: file-user
          user:
            tokenFile: token.txt
            client-certificate: client.crt
        - name: exec-user
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: ./bin/plugin
              args: ["--flag", "x"]
              env:
              - name: MODE
                value: test
              provideClusterInfo: true
        contexts:
        - name: other
          context:
            cluster: extra
            user: file-user
        - name: shared
          context:
            cluster: shared
            user: exec-user
        """

    @Test func mergingFollowsClientGoFirstFileWins() async throws {
        try await withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/a", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: directory + "/b", withIntermediateDirectories: true)
            try write(Self.primary, to: directory + "/a/config")
            try write(Self.secondary, to: directory + "/b/config")
            let config = try KubeConfig.load(environmentValue: "\(directory)/a/config:\(directory)/missing:\(directory)/b/config")

            #expect(config.currentContext == "dev")
            #expect(config.clusters["shared"]?.server == "https://primary-shared.example")
            #expect(config.clusters["shared"]?.insecureSkipTLSVerify == false)
            #expect(config.clusters["extra"]?.server == "https://extra.example")
            #expect(config.users["dev-user"]?.token == "primary-token")
            #expect(config.contexts.keys.sorted() == ["dev", "other", "shared"])
            #expect(config.sources == ["\(directory)/a/config", "\(directory)/b/config"])

            // Relative paths resolve against the directory of the file that named them.
            #expect(config.clusters["dev-cluster"]?.certificateAuthority == "\(directory)/a/certs/ca.pem")
            #expect(config.users["file-user"]?.tokenFile == "\(directory)/b/token.txt")
            #expect(config.users["file-user"]?.clientCertificate == "\(directory)/b/client.crt")
            let exec = try #require(config.users["exec-user"]?.exec)
            #expect(exec.command == "\(directory)/b/./bin/plugin")
            #expect(exec.arguments == ["--flag", "x"])
            #expect(exec.environment == [.init(name: "MODE", value: "test")])
            #expect(exec.provideClusterInfo)
            #expect(exec.apiVersion == "client.authentication.k8s.io/v1beta1")
        }
    }

    @Test func currentContextComesFromTheFirstFileThatSetsIt() throws {
        var merged = try KubeConfig(yaml: "clusters: []", path: "/x/first")
        merged.merge(try KubeConfig(yaml: Self.secondary, path: "/x/second"))
        #expect(merged.currentContext == "other")
    }

    @Test func contextResolvesToAClientConfiguration() async throws {
        try await withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/certs", withIntermediateDirectories: true)
            try write("CA-PEM", to: directory + "/certs/ca.pem")
            try write(Self.primary, to: directory + "/config")
            let configuration = try KubeConfig(contentsOf: directory + "/config").clientConfiguration()
            #expect(configuration.server == "https://dev.example:6443")
            #expect(configuration.namespace == "work")
            #expect(configuration.tls.certificateAuthorityPEM == Array("CA-PEM".utf8))
            #expect(configuration.tls.serverName == "kubernetes.default")
            #expect(configuration.authentication == .bearerToken("primary-token"))
        }
    }

    @Test(arguments: [
        ("contexts: []", "nope", "kubeconfig /k/config: context \"nope\" not found"),
        ("contexts: []", nil, "kubeconfig /k/config: current-context is not set and no context was given"),
        ("""
         contexts:
         - name: c
           context: {cluster: absent, user: u}
         """, "c", "kubeconfig /k/config: cluster \"absent\" not found"),
        ("""
         clusters:
         - name: k
           cluster: {server: "https://k"}
         contexts:
         - name: c
           context: {cluster: k, user: ghost}
         """, "c", "kubeconfig /k/config: user \"ghost\" not found"),
    ] as [(String, String?, String)])
    func missingEntriesNameTheFileAndTheEntry(yaml: String, context: String?, message: String) throws {
        let config = try KubeConfig(yaml: yaml, path: "/k/config")
        #expect { try config.clientConfiguration(context: context) } throws: { "\($0)" == message }
    }

    @Test(arguments: [
        ("""
         users:
         - name: u
           user:
             client-key-data: "!!!not base64"
         """, "kubeconfig /k/config: users[0].user.client-key-data: invalid base64"),
        ("""
         clusters:
         - name: a
           cluster: {server: "https://a"}
         - name: b
           cluster: {}
         """, "kubeconfig /k/config: clusters[1].cluster.server: missing"),
        ("""
         contexts:
         - context: {cluster: a}
         """, "kubeconfig /k/config: contexts[0].name: missing"),
        ("""
         users:
         - name: u
           user:
             exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}
         """, "kubeconfig /k/config: users[0].user.exec.apiVersion: unsupported exec credential API version \"client.authentication.k8s.io/v1alpha1\""),
        ("clusters: {a: b}", "kubeconfig /k/config: clusters: expected a list, found object"),
        ("""
         clusters:
         - name: a
           cluster:
             server: https://a
             insecure-skip-tls-verify: maybe
         """, "kubeconfig /k/config: clusters[0].cluster.insecure-skip-tls-verify: expected a boolean, found string"),
    ])
    func malformedFilesNameTheFileAndTheKey(yaml: String, message: String) {
        #expect { try KubeConfig(yaml: yaml, path: "/k/config") } throws: { "\($0)" == message }
    }

    @Test func headerLinesParseAsNameAndValue() throws {
        let header = try ClientConfiguration.Header(line: "X-Fleet-Token:  abc: def ")
        #expect(header == .init(name: "X-Fleet-Token", value: "abc: def"))
        #expect(throws: KubeClientError.self) { try ClientConfiguration.Header(line: "no colon here") }
    }

    @Test func inClusterConfigurationReadsTheServiceAccountDirectory() async throws {
        try await withTemporaryDirectory { directory in
            try write("sa-token\n", to: directory + "/token")
            try write("CA", to: directory + "/ca.crt")
            try write("fleet-system", to: directory + "/namespace")
            let configuration = try ClientConfiguration.inCluster(
                serviceAccountDirectory: directory,
                environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"])
            #expect(configuration.server == "https://[fd00::1]:443")
            #expect(configuration.namespace == "fleet-system")
            #expect(configuration.authentication == .tokenFile(path: directory + "/token"))
            #expect(configuration.tls.certificateAuthorityPEM == Array("CA".utf8))

            #expect { try ClientConfiguration.inCluster(serviceAccountDirectory: directory, environment: [:]) } throws: {
                "\($0)" == "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined"
            }
        }
    }

    @Test func requestsEncodeQueryValues() {
        let request = KubeRequest(path: "/api/v1/pods", query: [.init("labelSelector", "app in (a,b),tier!=web"), .init("limit", "5")])
        #expect(request.pathAndQuery == "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Dweb&limit=5")
    }

    @Test(arguments: [
        (ResourceEndpoint(apiVersion: "v1", plural: "services", isNamespaced: true, namespace: "work"), "/api/v1/namespaces/work/services"),
        (ResourceEndpoint(apiVersion: "v1", plural: "services", isNamespaced: true), "/api/v1/services"),
        (ResourceEndpoint(apiVersion: "apps/v1", plural: "deployments", isNamespaced: true, namespace: "a"), "/apis/apps/v1/namespaces/a/deployments"),
        (ResourceEndpoint(apiVersion: "v1", plural: "namespaces", isNamespaced: false, namespace: "ignored"), "/api/v1/namespaces"),
    ])
    func endpointsBuildKubernetesPaths(endpoint: ResourceEndpoint, path: String) {
        #expect(endpoint.collectionPath() == path)
    }
}
