import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// Manager processes an earlier bench left running. When the bench process dies (a crash,
// SIGKILL) the managers it started are re-parented to init and keep retrying against API
// servers that are gone, using CPU that the next measurement would count as noise. Before it
// starts managers, the bench stops such orphans: processes of the three manager binaries (or
// `fleetnet manager …`) whose parent is init and whose arguments point into a bench's temporary
// directory whose directory no longer exists.

enum OrphanedManagers {
    /// Sends SIGTERM to every orphaned bench manager; returns how many there were.
    @discardableResult
    static func stop() -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var stopped = 0
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid(), let arguments = commandLine(pid), isOrphan(pid),
                isBenchManager(arguments)
            else { continue }
            if kill(pid, SIGTERM) == 0 { stopped += 1 }
        }
        return stopped
    }

    /// A manager started by a bench whose temporary directory is gone.
    static func isBenchManager(_ arguments: [String]) -> Bool {
        guard let executable = arguments.first else { return false }
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let isManager =
            ManagerProcesses.binaries.contains(name)
            || (arguments.count > 2 && arguments[1] == "manager" && ManagerProcesses.binaries.contains(arguments[2]))
        guard isManager else { return false }
        let temporary = FileManager.default.temporaryDirectory.path
        for argument in arguments {
            // `--kubeconfig /tmp/fleetnet-bench-<uuid>/hub.kubeconfig` (or fleetnet-soak-…).
            let path = argument.split(separator: "=", maxSplits: 1).last.map(String.init) ?? argument
            guard path.hasPrefix(temporary + "/fleetnet-bench-") || path.hasPrefix(temporary + "/fleetnet-soak-") else { continue }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            return !FileManager.default.fileExists(atPath: directory)
        }
        return false
    }

    private static func commandLine(_ pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the process's parent is init (field 4 of /proc/<pid>/stat, after the command name).
    private static func isOrphan(_ pid: Int32) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else {
            return false
        }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 && fields[1] == "1"
    }
}
