import Foundation
import KubeTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// The fault suite starts and SIGKILLs manager binaries while other tests serve on listening
// sockets in this process. A child that inherited those sockets would keep them listening after
// their server closed them, swallowing connections nobody accepts (it broke a conformance test
// running beside the kill test): a spawned process gets stdin, stdout and stderr, nothing else.

@Suite struct SpawnedProcessTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "needs /proc to list a process's descriptors"))
    func aSpawnedProcessInheritsNoDescriptorBeyondTheStandardThree() async throws {
        let held = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)  // not close-on-exec
        #expect(held > 2)
        defer { close(held) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("spawned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = try SpawnedProcess.spawn(
            "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"], environment: ["PATH": "/usr/bin:/bin"],
            stdoutPath: output.path, stderrPath: "/dev/null")
        try await eventually("the shell exits") { process.exitStatus() != nil }
        let descriptors = try String(contentsOf: output, encoding: .utf8).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(Set(descriptors) == [0, 1, 2], "the child had \(descriptors.sorted()) open; this process holds \(held)")
    }
}
