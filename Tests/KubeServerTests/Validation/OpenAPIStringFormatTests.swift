import Testing

@testable import KubeServer

/// The string formats checked by hand accept and reject what kube-openapi's expressions do.
@Suite struct OpenAPIStringFormatTests {
    @Test(arguments: [
        ("date-time", "2024-05-01T12:00:00Z", true), ("date-time", "2024-05-01t12:00:00.123456z", true),
        ("date-time", "2024-05-01 12:00:00+02:00", true), ("date-time", "2024-05-01T12:00:00.5-07:30", true),
        ("date-time", "2024-05-01T12:00:00", false), ("date-time", "2024-05-01T12:00:00.Z", false),
        ("date-time", "2024-5-01T12:00:00Z", false), ("date-time", "2024-05-01T12:00:00+0200", false),
        ("date-time", "yesterday", false), ("date-time", "", false),
        ("date", "2024-05-01", true), ("date", "2024-05-1", false), ("date", "2024-05-01T", false),
        ("uuid", "0b3c2f9e-1d2a-4c5b-8e7f-0123456789ab", true), ("uuid", "0B3C2F9E1D2A4C5B8E7F0123456789AB", true),
        ("uuid", "0b3c2f9e1d2a-4c5b-8e7f-0123456789ab", true), ("uuid", "0b3c2f9e-1d2a-4c5b-8e7f-0123456789a", false),
        ("uuid", "0b3c2f9e--1d2a-4c5b-8e7f-0123456789ab", false), ("uuid", "-0b3c2f9e1d2a4c5b8e7f0123456789ab", false),
        ("uuid", "0b3c2f9e-1d2a-4c5b-8e7f-0123456789ag", false), ("uuid", "0b3c2f-9e1d2a4c5b8e7f0123456789ab", false),
        ("hostname", "example.com", true), ("hostname", "a", true), ("hostname", "example.com.", true),
        ("hostname", "my-host-1.svc", true), ("hostname", "-bad.com", false), ("hostname", "bad-.com", false),
        ("hostname", "a..b", false), ("hostname", ".", false), ("hostname", String(repeating: "a", count: 64), false),
        ("hostname", "under_score", false),
        ("email", "a@b", true), ("email", "a b@c", false), ("email", "a@b@c", false), ("email", "@b", false),
        ("byte", "aGVsbG8=", true), ("byte", "", true), ("byte", "aGVsbA==", true), ("byte", "aGVsb===", false),
        ("byte", "aGVsbG8", false), ("byte", "aGV*bG8=", false),
        ("something-else", "anything", true),
    ])
    func formats(format: String, text: String, valid: Bool) {
        #expect(OpenAPIStringFormat.isValid(text, format: format) == valid)
    }

    @Test func patternsAreCompiledOnceAndBadPatternsAreNil() {
        let first = CompiledPatterns.regex("^[a-z]+$")
        #expect(first != nil)
        #expect("abc".contains(first!))
        #expect(CompiledPatterns.regex("(unclosed") == nil)
        #expect(CompiledPatterns.regex("(unclosed") == nil)
    }
}
