// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "fleet-networking",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fleetnet", targets: ["fleetnet"]),
        .executable(name: "hub-net-controller-manager", targets: ["hub-net-controller-manager"]),
        .executable(name: "member-net-controller-manager", targets: ["member-net-controller-manager"]),
        .executable(name: "mcs-controller-manager", targets: ["mcs-controller-manager"]),
        .library(name: "KubeModel", targets: ["KubeModel"]),
        .library(name: "KubeServer", targets: ["KubeServer"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .library(name: "FleetAPI", targets: ["FleetAPI"]),
        .library(name: "FleetNetworking", targets: ["FleetNetworking"]),
        .library(name: "CRDInstaller", targets: ["CRDInstaller"]),
        .executable(name: "net-crd-installer", targets: ["net-crd-installer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "KubeModel",
            dependencies: []
        ),
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeModel",
                "KubeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "KubeServer",
            dependencies: [
                "KubeModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient",
                "KubeModel",
                "KubeServer",
                "KubeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "FleetAPI",
            dependencies: [
                "KubeModel",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "FleetAPITests",
            dependencies: [
                "FleetAPI",
                "KubeTestSupport",
                "KubeModel",
                "KubeServer",
                "KubeClient",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FleetNetworking",
            dependencies: [
                "AzureClient",
                "FleetAPI",
                "KubeModel",
                "KubeClient",
                "KubeRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "hub-net-controller-manager", dependencies: ["FleetNetworking"]),
        .executableTarget(name: "member-net-controller-manager", dependencies: ["FleetNetworking"]),
        .executableTarget(name: "mcs-controller-manager", dependencies: ["FleetNetworking"]),
        .testTarget(
            name: "FleetNetworkingTests",
            dependencies: [
                "ARMServer",
                "AzureClient",
                "KubeTestSupport",
                "FaultInjection",
                "FleetNetworking",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "FleetAPI",
                "KubeModel",
                "KubeClient",
                "KubeRuntime",
                "KubeServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "LocalFleet",
            dependencies: [
                "ARMServer",
                "ClusterDNS",
                "CRDInstaller",
                "KubeModel",
                "KubeServer",
                "KubeClient",
                "KubeRuntime",
                "FleetAPI",
                "FleetNetworking",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "fleetnet",
            dependencies: [
                "FaultInjection",
                "KubeModel",
                "KubeServer",
                "KubeClient",
                "KubeRuntime",
                "LocalFleet",
                "FleetAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CRDInstaller",
            dependencies: [
                "FleetAPI",
                "KubeModel",
                "KubeClient",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "net-crd-installer",
            dependencies: [
                "CRDInstaller",
                "KubeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CRDInstallerTests",
            dependencies: [
                "CRDInstaller",
                "FleetAPI",
                "KubeModel",
                "KubeClient",
                "KubeServer",
                "LocalFleet",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "LocalFleetTests",
            dependencies: [
                "LocalFleet",
                "ARMServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                "ClusterDNS",
                "KubeRuntime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                "FleetAPI",
                "FleetNetworking",
                "KubeServer",
                "KubeClient",
                "KubeModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "KubeTestSupport",
                "FaultInjection",
                "KubeModel",
                "KubeRuntime",
                "KubeClient",
                "KubeServer",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "E2ETests",
            dependencies: [
                "LocalFleet",
                "ARMServer",
                "ClusterDNS",
                "FaultInjection",
                "FleetAPI",
                "KubeClient",
                "KubeModel",
                "KubeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ClusterDNS",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ClusterDNSTests",
            dependencies: [
                "ClusterDNS",
                .product(name: "Logging", package: "swift-log"),
                "KubeTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "KubeTestSupport",
            dependencies: []
        ),
        .target(
            name: "AzureClient",
            dependencies: [
                "KubeModel",
                "KubeClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "AzureClientTests",
            dependencies: [
                "AzureClient",
                "ARMServer",
                "FaultInjection",
                "KubeClient",
                "KubeModel",
                "KubeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ARMServer",
            dependencies: [
                "KubeModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ARMServerTests",
            dependencies: [
                "ARMServer",
                "KubeModel",
                "KubeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "FaultInjection",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FaultInjectionTests",
            dependencies: [
                "FaultInjection",
                "KubeTestSupport",
                "KubeClient",
                "KubeModel",
                "KubeServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "MCSConformanceTests",
            dependencies: [
                "KubeTestSupport",
                "ClusterDNS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                "LocalFleet",
                "FleetAPI",
                "KubeClient",
                "KubeModel",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KubeModelTests",
            dependencies: ["KubeModel"]
        ),
        .testTarget(
            name: "KubeServerTests",
            dependencies: [
                "KubeModel",
                "KubeServer",
                "KubeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
