import Foundation
import KubeModel

// `fleetnet bench scale --sweep`: the scale scenario at several sizes, one after another, each on
// a fresh local fleet with fresh manager processes, so that the growth of converge time, writes,
// CPU and memory with members × services shows. Per size: the figures of the scale scenario
// (converge_s, writes, cpu_s, …) and each binary's peak RSS; printed as one table with the
// figures per exported service beside them.

struct ScaleSweep {
    struct Size: Equatable, CustomStringConvertible {
        var members: Int
        var services: Int
        var description: String { "\(members)x\(services)" }
        var exports: Int { members * services }
    }

    static let defaultSizes = [
        Size(members: 2, services: 100), Size(members: 5, services: 200), Size(members: 10, services: 500),
        Size(members: 10, services: 1_000), Size(members: 20, services: 1_000),
    ]

    /// Parses `2x100,5x200`: members × services per exporting member.
    static func parse(_ text: String) throws -> [Size] {
        try text.split(separator: ",").map { item in
            let parts = item.lowercased().split(separator: "x")
            guard parts.count == 2, let members = Int(parts[0]), let services = Int(parts[1]), members > 0, services > 0 else {
                throw SweepError(description: "--sweep-sizes: \"\(item)\" is not MEMBERSxSERVICES (e.g. 10x500)")
            }
            return Size(members: members, services: services)
        }
    }

    struct SweepError: Error, CustomStringConvertible {
        let description: String
    }

    var sizes: [Size]
    var endpoints: Int
    var quietSeconds: Int
    var binaryDirectory: URL?
    var coldStart = false

    /// One object per size, in order.
    func run(progress: (String) -> Void) async throws -> [JSONValue] {
        var rows: [JSONValue] = []
        for size in sizes {
            progress("sweep: \(size) (\(size.exports) exported services × \(endpoints) endpoints)")
            let results = try await ScaleBenchmark(
                members: size.members, services: size.services, endpoints: endpoints, quietSeconds: quietSeconds,
                binaryDirectory: binaryDirectory, coldStart: coldStart
            ).run()
            var row = results.scale
            row["exports"] = .int(Int64(size.exports))
            for binary in ManagerProcesses.binaries {
                if case .object(let memory) = results.memory[binary], let peak = memory["peak_rss_mb"] {
                    row["peak_rss_mb_\(binary)"] = peak
                }
            }
            rows.append(.object(row))
            // The table so far, so a later size that fails leaves the earlier ones on record.
            progress("sweep so far:\n" + Self.table(rows))
        }
        return rows
    }

    /// The sweep as a table: absolute figures and per exported service.
    static func table(_ rows: [JSONValue]) -> String {
        func number(_ row: [String: JSONValue], _ key: String) -> Double {
            switch row[key] {
            case .int(let value): return Double(value)
            case .double(let value): return value
            default: return 0
            }
        }
        var lines = [
            "size       exports  converge_s  ms/export  writes   writes/export  cpu_s   cpu_ms/export  peak RSS MB (hub-net / member-net / mcs)"
        ]
        for case .object(let row) in rows {
            let exports = max(number(row, "exports"), 1)
            let size = "\(Int(number(row, "members")))x\(Int(number(row, "services")))"
            let peaks = ManagerProcesses.binaries.map { String(format: "%.1f", number(row, "peak_rss_mb_\($0)")) }
            lines.append(
                size.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: " %7d  %10.1f  %9.2f  %7d  %13.2f  %6.1f  %13.2f  ", Int(exports), number(row, "converge_s"),
                        1000 * number(row, "converge_s") / exports, Int(number(row, "writes")), number(row, "writes") / exports,
                        number(row, "cpu_s"), 1000 * number(row, "cpu_s") / exports)
                    + peaks.joined(separator: " / "))
        }
        return lines.joined(separator: "\n")
    }
}
