import AzureClient
import Foundation
import Logging
import Prometheus

// The Traffic Manager controllers of hub-net-controller-manager (`--enable-traffic-manager-feature`,
// `--cloud-config`). The reference refuses to start without a readable cloud config while the
// flag is on (its default); here a missing file means the feature is off, said once in the log, so
// that a hub outside Azure runs with the reference's defaults. A file that is there but invalid
// stops the manager with the reason. The ARM client is made on first use (a custom cloud's
// endpoints come from its metadata endpoint): until it can be, reconciles fail and are retried.

public enum TrafficManagerControllers {
    public static let userAgent = "fleet-hub-net-controller-manager"

    public static func make(
        _ context: HubAgentContext, enabled: Bool, cloudConfigPath: String, metrics: PrometheusCollectorRegistry? = nil, logger: Logger
    ) throws -> [ControllerRunnable] {
        guard enabled else { return [] }
        guard FileManager.default.fileExists(atPath: cloudConfigPath) else {
            logger.notice(
                "Traffic Manager controllers not started: no Azure cloud config at \(cloudConfigPath) (--cloud-config); pass --enable-traffic-manager-feature=false to silence this")
            return []
        }
        let cloud = try AzureCloudConfig.load(path: cloudConfigPath)
        let connection = ARMConnection(cloud: cloud, userAgent: userAgent, logger: logger)
        logger.info("Traffic Manager controllers on: subscription \(cloud.subscriptionID), cloud \(cloud.cloud)")
        return [
            ControllerRunnable(
                TrafficManagerProfileReconciler.make(context, arm: connection, subscription: cloud.subscriptionID, metrics: metrics)),
            ControllerRunnable(
                TrafficManagerBackendReconciler.make(context, arm: connection, subscription: cloud.subscriptionID, metrics: metrics)),
        ]
    }
}
