import Foundation

/// One line per fault scenario on standard error, for docs/reliability.md's figures.
enum FaultFigures {
    static func record(_ scenario: String, withdrawn: Duration? = nil, converged: Duration, faultFree: Duration) {
        let parts = [
            "fault: \(scenario)", withdrawn.map { "withdrawn after \(milliseconds($0)) ms" },
            "converged \(milliseconds(converged)) ms after the fault ended", "(fault-free run: \(milliseconds(faultFree)) ms)",
        ]
        FileHandle.standardError.write(Data((parts.compactMap { $0 }.joined(separator: ", ") + "\n").utf8))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
