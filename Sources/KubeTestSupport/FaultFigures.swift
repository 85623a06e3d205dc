import Foundation

/// One line per fault scenario on standard error, for docs/reliability.md's figures
/// (`scripts/fault-figures.sh` collects them).
public enum FaultFigures {
    public static func record(_ scenario: String, withdrawn: Duration? = nil, converged: Duration, faultFree: Duration? = nil) {
        let parts = [
            "fault: \(scenario)", withdrawn.map { "withdrawn after \(milliseconds($0)) ms" },
            "converged \(milliseconds(converged)) ms after the fault ended",
            faultFree.map { "(fault-free run: \(milliseconds($0)) ms)" },
        ]
        FileHandle.standardError.write(Data((parts.compactMap { $0 }.joined(separator: ", ") + "\n").utf8))
    }

    public static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
