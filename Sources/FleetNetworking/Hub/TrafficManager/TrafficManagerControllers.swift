import AzureClient
import Foundation
import Logging
import Prometheus

// The Traffic Manager controllers of hub-net-controller-manager (`--enable-traffic-manager-feature`,
// `--cloud-config`, read as TrafficManagerFeature says). The ARM client is made on first use (a custom cloud's
// endpoints come from its metadata endpoint): until it can be, reconciles fail and are retried.

public enum TrafficManagerControllers {
    public static let userAgent = "fleet-hub-net-controller-manager"

    public static func make(
        _ context: HubAgentContext, enabled: Bool, cloudConfigPath: String, metrics: PrometheusCollectorRegistry? = nil, logger: Logger
    ) throws -> [ControllerRunnable] {
        guard
            let cloud = try TrafficManagerFeature.cloudConfig(
                enabled: enabled, path: cloudConfigPath, off: "Traffic Manager controllers not started", logger: logger)
        else { return [] }
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
