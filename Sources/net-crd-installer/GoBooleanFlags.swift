// Go's flag package accepts a boolean flag as `--name` or `--name=<bool>`, and the charts use
// both spellings (klog's `--add_dir_header`, the installer's `--e2e-test`). The argument parser
// takes only the bare form, so `--name=<bool>` is rewritten to `--name` (true) or dropped (false).

enum GoBooleanFlags {
    static let names: Set<String> = ["e2e-test", "add_dir_header"]

    /// `arguments` with `--<name>=<value>` / `-<name>=<value>` of the boolean flags normalised.
    static func normalized(_ arguments: [String]) -> [String] {
        arguments.compactMap { argument in
            for name in names {
                for prefix in ["--\(name)=", "-\(name)="] where argument.hasPrefix(prefix) {
                    let value = argument.dropFirst(prefix.count).lowercased()
                    return ["1", "t", "true"].contains(value) ? "--\(name)" : nil
                }
            }
            return argument
        }
    }
}
