/// What the installer did with one CRD.
public struct InstallResult: Sendable, Hashable, CustomStringConvertible {
    public enum Action: String, Sendable, Hashable {
        /// The CRD did not exist and was created.
        case created
        /// The CRD existed with another spec or without the installer's labels and was replaced.
        case updated
        /// The CRD already had the desired spec and labels; nothing was written.
        case unchanged
    }

    /// The CRD's name, `<plural>.<group>`.
    public var name: String
    public var action: Action
    /// The CRD's resourceVersion after the installer is done with it (Established included).
    public var resourceVersion: String?

    public init(name: String, action: Action, resourceVersion: String?) {
        self.name = name
        self.action = action
        self.resourceVersion = resourceVersion
    }

    public var description: String { "\(name) \(action.rawValue)" }
}
