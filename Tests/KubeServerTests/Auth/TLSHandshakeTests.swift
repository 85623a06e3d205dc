import KubeServer
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Real TLS connections over loopback between a server using ``TLSConfiguration/kubeServer(serving:clientAuthority:)``
/// and clients with and without certificates. Each request also carries an unknown bearer token, so
/// the server answers with the certificate's user, or "rejected" when there is no certificate.
@Suite struct TLSHandshakeTests {
    static let authority = try! CertificateAuthority.makeSelfSigned(name: "tls-test")

    /// Runs a server, sends one message as the client with `clientConfiguration`, and returns the
    /// server's reply (`nil` when the connection failed or closed without one).
    static func exchange(clientConfiguration: TLSConfiguration) async throws -> String? {
        let serving = try authority.issueServerCertificate()
        let serverContext = try NIOSSLContext(configuration: .kubeServer(serving: serving, clientAuthority: authority))
        let clientContext = try NIOSSLContext(configuration: clientConfiguration)
        let authenticator = Authenticator()
        let eventLoopGroup = MultiThreadedEventLoopGroup.singleton

        let server = try await ServerBootstrap(group: eventLoopGroup)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = try #require(server.channel.localAddress?.port)

        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        // A failed handshake surfaces as an error reading this connection; the
                        // server keeps serving, as the API server must.
                        try? await connection.executeThenClose { input, output in
                            for try await _ in input {
                                let result = await authenticator.authenticate(
                                    authorizationHeader: "Bearer unknown-token", channel: connection.channel)
                                let reply = result.user.map { "\($0.name)|\($0.groups.joined(separator: ","))" } ?? "rejected"
                                try await output.write(ByteBuffer(string: reply))
                                break
                            }
                        }
                    }
                }
                return nil
            }
            defer { server.channel.close(promise: nil) }
            let client = try await ClientBootstrap(group: eventLoopGroup)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = try NIOSSLClientHandler(context: clientContext, serverHostname: "localhost")
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let reply = try? await client.executeThenClose { input, output -> String? in
                try await output.write(ByteBuffer(string: "hello"))
                var replies = input.makeAsyncIterator()
                return try await replies.next().map { String(buffer: $0) }
            }
            return reply ?? nil
        }
    }

    @Test func clientCertificateIdentifiesTheUser() async throws {
        let client = try Self.authority.issueClientCertificate(user: "alice", groups: ["devs", "fleet:members"])
        let reply = try await Self.exchange(
            clientConfiguration: .kubeClient(trusting: Self.authority, clientCertificate: client))
        #expect(reply == "alice|devs,fleet:members,system:authenticated")
    }

    @Test func connectionWithoutClientCertificateIsAcceptedAndFallsBackToTheToken() async throws {
        let reply = try await Self.exchange(clientConfiguration: .kubeClient(trusting: Self.authority))
        #expect(reply == "rejected")
    }

    @Test func clientCertificateOfAnotherAuthorityFailsTheHandshake() async throws {
        let stranger = try CertificateAuthority.makeSelfSigned(name: "stranger")
        let client = try stranger.issueClientCertificate(user: "mallory", groups: ["system:masters"])
        let reply = try await Self.exchange(
            clientConfiguration: .kubeClient(trusting: Self.authority, clientCertificate: client))
        #expect(reply == nil)
    }

    @Test func clientRejectsAServerCertificateOfAnotherAuthority() async throws {
        let stranger = try CertificateAuthority.makeSelfSigned(name: "stranger")
        let reply = try await Self.exchange(clientConfiguration: .kubeClient(trusting: stranger))
        #expect(reply == nil)
    }
}
