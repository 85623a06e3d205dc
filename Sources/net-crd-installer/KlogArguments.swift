// The charts pass klog flags (`--v=N`, `--add_dir_header`) to the installer. Go's flag package
// accepts a boolean as `--add_dir_header` or `--add_dir_header=<bool>`; the latter form is
// rewritten here into what the argument parser takes.

enum KlogArguments {
    static let booleanFlags: Set<String> = ["add_dir_header"]

    /// `arguments` with `--<bool flag>=<value>` turned into `--<bool flag>` (true) or dropped (false).
    static func normalized(_ arguments: [String]) -> [String] {
        arguments.compactMap { argument in
            for flag in booleanFlags {
                for prefix in ["--\(flag)=", "-\(flag)="] where argument.hasPrefix(prefix) {
                    let value = argument.dropFirst(prefix.count).lowercased()
                    return ["1", "t", "true"].contains(value) ? "--\(flag)" : nil
                }
            }
            return argument
        }
    }
}
