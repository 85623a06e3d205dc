import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// CPU time (user + system) a process has used, from /proc/<pid>/stat (Linux): fields 14 and 15,
// in clock ticks. The command name (field 2) is in parentheses and may hold spaces, so fields
// are counted after its closing parenthesis.

enum ProcessCPU {
    static func seconds(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // After ")": state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func ownSeconds() -> Double { seconds(pid: getpid()) }
}
