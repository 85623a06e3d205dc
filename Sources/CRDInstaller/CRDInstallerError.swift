/// Failures of loading or installing CRDs, each naming what it is about.
public enum CRDInstallerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The directory could not be listed.
    case unreadableDirectory(path: String, reason: String)
    /// A file could not be read, parsed or decoded as CRDs.
    case malformedFile(path: String, reason: String)
    /// No CRD of the group is selected by the mode (`directory` is nil for in-memory CRDs).
    case noCRDs(mode: InstallMode, directory: String?)
    /// A CRD has no `metadata.name`.
    case unnamedCRD(plural: String)
    /// A written CRD did not report `Established=True` in time.
    case notEstablished(name: String, timeout: Duration, lastConditions: String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path, let reason):
            return "failed to walk CRD directory \(path): \(reason)"
        case .malformedFile(let path, let reason):
            return "failed to decode CRD from \(path): \(reason)"
        case .noCRDs(let mode, let directory):
            if let directory { return "no CRDs found for mode \(mode) in directory \(directory)" }
            return "no CRDs found for mode \(mode) in group \(CRDInstallerConstants.group)"
        case .unnamedCRD(let plural):
            return "CRD for resource \(plural.isEmpty ? "<unknown>" : plural) has no metadata.name"
        case .notEstablished(let name, let timeout, let lastConditions):
            return "CRD \(name) was not established within \(timeout) (conditions: \(lastConditions))"
        }
    }
}
