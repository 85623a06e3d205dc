import KubeModel

/// The `GET /version` document (apimachinery `version.Info`). kubectl compares `major`/`minor`
/// with its own version and warns when they are more than one minor apart, so the defaults
/// claim Kubernetes 1.32.
public struct ServerVersion: Sendable, Equatable {
    public var major: String
    public var minor: String
    public var gitVersion: String
    public var gitCommit: String
    public var gitTreeState: String
    /// RFC 3339 build time, e.g. `2024-12-11T18:04:20Z`.
    public var buildDate: String
    public var goVersion: String
    public var compiler: String
    /// `os/arch`, e.g. `linux/amd64`.
    public var platform: String

    public init(
        major: String = "1", minor: String = "32", gitVersion: String = "v1.32.0-fleetnet",
        gitCommit: String = "0000000000000000000000000000000000000000", gitTreeState: String = "clean",
        buildDate: String = "2024-12-11T18:04:20Z", goVersion: String = "go1.23.3", compiler: String = "gc",
        platform: String = ServerVersion.currentPlatform
    ) {
        self.major = major
        self.minor = minor
        self.gitVersion = gitVersion
        self.gitCommit = gitCommit
        self.gitTreeState = gitTreeState
        self.buildDate = buildDate
        self.goVersion = goVersion
        self.compiler = compiler
        self.platform = platform
    }

    /// The JSON body of `GET /version`.
    public var document: JSONValue {
        [
            "major": .string(major), "minor": .string(minor), "gitVersion": .string(gitVersion),
            "gitCommit": .string(gitCommit), "gitTreeState": .string(gitTreeState), "buildDate": .string(buildDate),
            "goVersion": .string(goVersion), "compiler": .string(compiler), "platform": .string(platform),
        ]
    }

    /// The platform of this process in Go's `GOOS/GOARCH` spelling.
    public static var currentPlatform: String {
        #if os(Linux)
            let system = "linux"
        #elseif os(macOS)
            let system = "darwin"
        #elseif os(Windows)
            let system = "windows"
        #else
            let system = "unknown"
        #endif
        #if arch(x86_64)
            let architecture = "amd64"
        #elseif arch(arm64)
            let architecture = "arm64"
        #else
            let architecture = "unknown"
        #endif
        return "\(system)/\(architecture)"
    }
}
