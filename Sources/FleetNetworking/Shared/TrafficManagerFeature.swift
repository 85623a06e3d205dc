import AzureClient
import Foundation
import Logging

// `--enable-traffic-manager-feature` and `--cloud-config`, as hub-net (the Traffic Manager
// controllers) and member-net (public IP lookups) read them. The reference refuses to start
// without a readable cloud config while the flag is on (its default); here a missing file means
// the feature is off, said once in the log, so that a manager outside Azure runs with the
// reference's defaults. A file that is there but invalid stops the manager with the reason.

enum TrafficManagerFeature {
    /// The cloud config to run the feature with; nil when the flag is off or there is no file at
    /// `path` (then `off` starts the log line that says so).
    static func cloudConfig(enabled: Bool, path: String, off: String, logger: Logger) throws -> AzureCloudConfig? {
        guard enabled else { return nil }
        guard FileManager.default.fileExists(atPath: path) else {
            logger.notice("\(off): no Azure cloud config at \(path) (--cloud-config); pass --enable-traffic-manager-feature=false to silence this")
            return nil
        }
        return try AzureCloudConfig.load(path: path)
    }
}
