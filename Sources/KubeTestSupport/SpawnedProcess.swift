#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// A child process started with posix_spawn, for tests that run tools (kubectl) many times while
// the test process holds many sockets: Foundation's `Process.run()` on Linux (swift-corelibs-
// foundation before PR #5472) over-reads a `dirent` while scanning /proc/self/fd and crashes the
// test process now and then. stdin is /dev/null; stdout and stderr go to files; no other
// descriptor is inherited.

/// A child process; poll `exitStatus()` until it returns a value.
public struct SpawnedProcess: Sendable {
    public let pid: pid_t

    public struct SpawnError: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "posix_spawn \(executable) failed: \(String(cString: strerror(code)))" }
    }

    /// Starts `executable` with `arguments` and exactly `environment`, its output in the two files
    /// (created or truncated).
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String: String], stdoutPath: String, stderrPath: String
    ) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of this process goes to the child: without this, it would inherit every
        // descriptor not marked close-on-exec — listening sockets of servers the tests run among
        // them, which then outlive their close in the parent and swallow connections nobody
        // accepts.
        guard closeFrom(3, &actions) else {
            throw SpawnError(executable: executable, code: ENOSYS)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard code == 0 else { throw SpawnError(executable: executable, code: code) }
        return SpawnedProcess(pid: pid)
    }

    /// The exit status once the process has ended (128 + the signal if a signal ended it), else
    /// nil. Reaps the process; call until it returns a value.
    public func exitStatus() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Adds "close every descriptor from `lowest` up" to `actions`: glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34+; the Glibc module does not import it, so
    /// it is looked up). Elsewhere (macOS) nothing is added.
    private static func closeFrom(_ lowest: Int32, _ actions: inout posix_spawn_file_actions_t) -> Bool {
        #if canImport(Glibc)
            typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
                return false
            }
            let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
            return addCloseFrom(&actions, lowest) == 0
        #else
            return true
        #endif
    }

    /// Sends SIGTERM.
    public func terminate() {
        kill(pid, SIGTERM)
    }
}
