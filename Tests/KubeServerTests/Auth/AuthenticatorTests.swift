@testable import KubeServer
import Testing

@Suite struct StaticTokenTableTests {
    @Test func parsesTokenFileRecords() throws {
        let table = try StaticTokenTable(
            csv: """
                member-1-token,fleet-member-1,uid-1,"fleet:members,system:nodes"
                admin-token, admin ,uid-2

                viewer-token,viewer,uid-3,viewers,ignored-extra-column
                """
        )
        #expect(table.count == 3)
        #expect(table.user(forToken: "member-1-token")
            == UserInfo(name: "fleet-member-1", uid: "uid-1", groups: ["fleet:members", "system:nodes"]))
        #expect(table.user(forToken: "admin-token") == UserInfo(name: "admin ", uid: "uid-2"))
        #expect(table.user(forToken: "viewer-token") == UserInfo(name: "viewer", uid: "uid-3", groups: ["viewers"]))
        #expect(table.user(forToken: "unknown") == nil)
    }

    @Test func quotedFieldsMayContainEscapedQuotes() throws {
        let table = try StaticTokenTable(csv: #""tok""en",user,uid"#)
        #expect(table.user(forToken: #"tok"en"#)?.name == "user")
    }

    @Test func laterRecordOfADuplicateTokenWins() throws {
        let table = try StaticTokenTable(csv: "t,first,1\nt,second,2\n")
        #expect(table.user(forToken: "t")?.name == "second")
    }

    @Test(arguments: [
        ("t,user", StaticTokenTableError.tooFewColumns(record: 1, found: 2)),
        ("a,b,c\n,user,uid", StaticTokenTableError.emptyToken(record: 2)),
        (#"t,"user,uid"#, StaticTokenTableError.unterminatedQuote(record: 1)),
    ])
    func malformedRecordsAreReported(csv: String, error: StaticTokenTableError) {
        #expect(throws: error) { try StaticTokenTable(csv: csv) }
    }
}

@Suite struct AuthenticatorTests {
    static let tokens = StaticTokenTable([
        "good-token": UserInfo(name: "alice", uid: "u-1", groups: ["devs"]),
    ])

    @Test(arguments: [
        ("Bearer good-token", false, AuthenticationResult.authenticated(
            UserInfo(name: "alice", uid: "u-1", groups: ["devs", "system:authenticated"]))),
        ("bearer good-token", false, .authenticated(
            UserInfo(name: "alice", uid: "u-1", groups: ["devs", "system:authenticated"]))),
        ("  Bearer good-token  ", false, .authenticated(
            UserInfo(name: "alice", uid: "u-1", groups: ["devs", "system:authenticated"]))),
        ("Bearer bad-token", false, .rejected),
        ("Bearer bad-token", true, .rejected),
        (nil, true, .anonymous),
        (nil, false, .rejected),
        ("Basic YWxpY2U6c2VjcmV0", true, .anonymous),
        ("Basic YWxpY2U6c2VjcmV0", false, .rejected),
        ("Bearer ", true, .anonymous),
    ] as [(String?, Bool, AuthenticationResult)])
    func bearerTokens(header: String?, allowsAnonymous: Bool, expected: AuthenticationResult) {
        let authenticator = Authenticator(tokens: Self.tokens, allowsAnonymous: allowsAnonymous)
        #expect(authenticator.authenticate(authorizationHeader: header, peerCertificateUser: nil) == expected)
    }

    @Test func clientCertificateTakesPrecedenceOverABearerToken() {
        let authenticator = Authenticator(tokens: Self.tokens)
        let result = authenticator.authenticate(
            authorizationHeader: "Bearer bad-token",
            peerCertificateUser: UserInfo(name: "bob", groups: ["ops"])
        )
        #expect(result == .authenticated(UserInfo(name: "bob", groups: ["ops", "system:authenticated"])))
    }

    @Test func anonymousUserIsSystemAnonymousInSystemUnauthenticated() {
        let authenticator = Authenticator(allowsAnonymous: true)
        let user = authenticator.authenticate(authorizationHeader: nil, peerCertificateUser: nil).user
        #expect(user == UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"]))
    }

    @Test func authenticatedGroupIsNotAddedTwice() {
        let user = UserInfo(name: "x", groups: ["system:authenticated"])
        #expect(user.addingAuthenticatedGroup().groups == ["system:authenticated"])
    }

    @Test func certificateWithoutCommonNameNamesNoUser() throws {
        let authority = try CertificateAuthority.makeSelfSigned(name: "t")
        let client = try authority.issueClientCertificate(user: "", groups: ["devs"])
        #expect(Authenticator.identity(of: client.certificate) == nil)
    }

    @Test func serverOnlyCertificateNamesNoUser() throws {
        let authority = try CertificateAuthority.makeSelfSigned(name: "t")
        let server = try authority.issueServerCertificate(commonName: "mallory")
        #expect(Authenticator.identity(of: server.certificate) == nil)
    }
}
