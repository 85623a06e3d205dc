import Foundation
import KubeModel

// The printers with real logic: Pod (READY/STATUS/RESTARTS derived from container statuses,
// following kubectl's long-standing rules), Deployment, StatefulSet and Event (core/v1 and events.k8s.io/v1).

extension BuiltinPrinterColumns {
    static let pod = [
        nameColumn,
        PrinterColumn(name: "Ready", description: "The aggregate readiness state of this pod for accepting traffic.") { object in
            let summary = PodSummary(object)
            return .string("\(summary.readyContainers)/\(summary.totalContainers)")
        },
        PrinterColumn(name: "Status", description: "The aggregate status of the containers in this pod.") { object in
            .string(PodSummary(object).reason)
        },
        PrinterColumn(name: "Restarts", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { object in
            let summary = PodSummary(object)
            if summary.restarts != 0, let last = summary.lastRestart {
                return .string("\(summary.restarts) (\(HumanDuration.format(seconds: TableRenderContext.currentTime.timeIntervalSince(last))) ago)")
            }
            return .string(String(summary.restarts))
        },
        ageColumn,
        PrinterColumn(name: "IP", description: "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", priority: 1) { object in
            let ip = object[path: ["status", "podIPs"]]?[0]?["ip"]?.stringValue ?? object[path: ["status", "podIP"]]?.stringValue ?? ""
            return .string(ip.isEmpty ? "<none>" : ip)
        },
        PrinterColumn(name: "Node", description: "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.", priority: 1) { object in
            .string(nonEmpty(object[path: ["spec", "nodeName"]]?.stringValue) ?? "<none>")
        },
        PrinterColumn(name: "Nominated Node", description: "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", priority: 1) { object in
            .string(nonEmpty(object[path: ["status", "nominatedNodeName"]]?.stringValue) ?? "<none>")
        },
        PrinterColumn(name: "Readiness Gates", description: "If specified, all readiness gates will be evaluated for pod readiness.", priority: 1) { object in
            let gates = (object[path: ["spec", "readinessGates"]]?.arrayValue ?? []).compactMap { $0["conditionType"]?.stringValue }
            guard !gates.isEmpty else { return "<none>" }
            let conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
            let satisfied = gates.filter { gate in
                conditions.first { $0["type"]?.stringValue == gate }?["status"]?.stringValue == "True"
            }.count
            return .string("\(satisfied)/\(gates.count)")
        },
    ]

    static let deployment = [
        nameColumn,
        PrinterColumn(name: "Ready", description: "Number of the pod with ready state") { object in
            let ready = object[path: ["status", "readyReplicas"]]?.intValue ?? 0
            let desired = object[path: ["spec", "replicas"]]?.intValue ?? 1
            return .string("\(ready)/\(desired)")
        },
        PrinterColumn(name: "Up-to-date", type: "integer", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec.") { object in
            .int(object[path: ["status", "updatedReplicas"]]?.intValue ?? 0)
        },
        PrinterColumn(name: "Available", type: "integer", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.") { object in
            .int(object[path: ["status", "availableReplicas"]]?.intValue ?? 0)
        },
        ageColumn,
        PrinterColumn(name: "Containers", description: "Names of each container in the template.", priority: 1) { object in
            .string(templateContainers(object).compactMap { $0["name"]?.stringValue }.joined(separator: ","))
        },
        PrinterColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1) { object in
            .string(templateContainers(object).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
        },
        PrinterColumn(name: "Selector", description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", priority: 1) { object in
            .string(formatLabelSelector(object[path: ["spec", "selector"]]))
        },
    ]

    static let statefulSet = [
        nameColumn,
        PrinterColumn(name: "Ready", description: "Number of the pod with ready state") { object in
            let ready = object[path: ["status", "readyReplicas"]]?.intValue ?? 0
            let desired = object[path: ["spec", "replicas"]]?.intValue ?? 1
            return .string("\(ready)/\(desired)")
        },
        ageColumn,
        PrinterColumn(name: "Containers", description: "Names of each container in the template.", priority: 1) { object in
            .string(templateContainers(object).compactMap { $0["name"]?.stringValue }.joined(separator: ","))
        },
        PrinterColumn(name: "Images", description: "Images referenced by each container in the template.", priority: 1) { object in
            .string(templateContainers(object).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
        },
    ]

    static let event = [
        PrinterColumn(name: "Last Seen", description: "The time at which the most recent occurrence of this event was recorded.") { object in
            .string(EventSummary(object).lastSeen)
        },
        PrinterColumn(name: "Type", description: "Type of this event (Normal, Warning), new types could be added in the future") { object in
            .string(object["type"]?.stringValue ?? "")
        },
        PrinterColumn(name: "Reason", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.") { object in
            .string(object["reason"]?.stringValue ?? "")
        },
        PrinterColumn(name: "Object", description: "The object that this event is about.") { object in
            let involved = EventSummary.involvedObject(object)
            let kind = (involved?["kind"]?.stringValue ?? "").lowercased()
            let name = involved?["name"]?.stringValue ?? ""
            return .string(name.isEmpty ? kind : "\(kind)/\(name)")
        },
        PrinterColumn(name: "Subobject", description: "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", priority: 1) { object in
            .string(EventSummary.involvedObject(object)?["fieldPath"]?.stringValue ?? "")
        },
        PrinterColumn(name: "Source", description: "The component reporting this event. Should be a short machine understandable string.", priority: 1) { object in
            let source = object["source"] ?? object["deprecatedSource"]
            let component = nonEmpty(source?["component"]?.stringValue) ?? object["reportingController"]?.stringValue ?? ""
            let instance = nonEmpty(source?["host"]?.stringValue) ?? object["reportingInstance"]?.stringValue ?? ""
            if component.isEmpty { return "" }
            return .string(instance.isEmpty ? component : "\(component), \(instance)")
        },
        PrinterColumn(name: "Message", description: "A human-readable description of the status of this operation.") { object in
            .string((object["message"]?.stringValue ?? object["note"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        },
        PrinterColumn(name: "First Seen", description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", priority: 1) { object in
            .string(EventSummary(object).firstSeen)
        },
        PrinterColumn(name: "Count", description: "The number of times this event has occurred.", priority: 1) { object in
            .int(EventSummary(object).count)
        },
        PrinterColumn(name: "Name", format: "name", description: nameDescription, priority: 1, jsonPath: ".metadata.name"),
    ]

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    private static func templateContainers(_ object: JSONValue) -> [JSONValue] {
        object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
    }
}

/// The READY, STATUS and RESTARTS of a pod, derived as kubectl's pod printer does: init
/// containers first (`Init:1/2`, `Init:CrashLoopBackOff`), then regular containers from last to
/// first, so the first container's waiting/terminated reason wins; `Terminating` once deleted.
struct PodSummary {
    var readyContainers = 0
    var totalContainers = 0
    var reason = ""
    var restarts: Int64 = 0
    var lastRestart: Date?

    init(_ pod: JSONValue) {
        let spec = pod["spec"]
        let status = pod["status"]
        let phase = status?["phase"]?.stringValue ?? ""
        reason = BuiltinPrinterColumns.nonEmpty(status?["reason"]?.stringValue) ?? phase
        let conditions = status?["conditions"]?.arrayValue ?? []
        if conditions.contains(where: { $0["type"]?.stringValue == "PodScheduled" && $0["reason"]?.stringValue == "SchedulingGated" }) {
            reason = "SchedulingGated"
        }

        let initContainers = spec?["initContainers"]?.arrayValue ?? []
        let restartableInitNames = Set(initContainers.filter { $0["restartPolicy"]?.stringValue == "Always" }.compactMap { $0["name"]?.stringValue })
        totalContainers = (spec?["containers"]?.arrayValue?.count ?? 0) + restartableInitNames.count

        var restartableRestarts: Int64 = 0
        var lastRestartableRestart: Date?
        var initializing = false
        let initStatuses = status?["initContainerStatuses"]?.arrayValue ?? []
        for (index, container) in initStatuses.enumerated() {
            let count = container["restartCount"]?.intValue ?? 0
            restarts += count
            let finished = Self.lastTerminationTime(container)
            lastRestart = Self.later(lastRestart, finished)
            let isRestartable = restartableInitNames.contains(container["name"]?.stringValue ?? "")
            if isRestartable {
                restartableRestarts += count
                lastRestartableRestart = Self.later(lastRestartableRestart, finished)
            }
            let terminated = container[path: ["state", "terminated"]]
            let waitingReason = container[path: ["state", "waiting", "reason"]]?.stringValue ?? ""
            if let terminated, terminated["exitCode"]?.intValue ?? 0 == 0 {
                continue
            } else if isRestartable, container["started"]?.boolValue == true {
                if container["ready"]?.boolValue == true { readyContainers += 1 }
                continue
            } else if let terminated {
                if let terminatedReason = BuiltinPrinterColumns.nonEmpty(terminated["reason"]?.stringValue) {
                    reason = "Init:" + terminatedReason
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
            } else if !waitingReason.isEmpty, waitingReason != "PodInitializing" {
                reason = "Init:" + waitingReason
            } else {
                reason = "Init:\(index)/\(initContainers.count)"
            }
            initializing = true
            break
        }

        let initialized = conditions.contains { $0["type"]?.stringValue == "Initialized" && $0["status"]?.stringValue == "True" }
        if !initializing || initialized {
            restarts = restartableRestarts
            lastRestart = lastRestartableRestart
            var hasRunning = false
            for container in (status?["containerStatuses"]?.arrayValue ?? []).reversed() {
                restarts += container["restartCount"]?.intValue ?? 0
                lastRestart = Self.later(lastRestart, Self.lastTerminationTime(container))
                let state = container["state"]
                if let waiting = BuiltinPrinterColumns.nonEmpty(state?[path: ["waiting", "reason"]]?.stringValue) {
                    reason = waiting
                } else if let terminated = state?["terminated"] {
                    if let terminatedReason = BuiltinPrinterColumns.nonEmpty(terminated["reason"]?.stringValue) {
                        reason = terminatedReason
                    } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                    }
                } else if container["ready"]?.boolValue == true, state?["running"] != nil {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed", hasRunning {
                let isReady = conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
                reason = isReady ? "Running" : "NotReady"
            }
        }

        if pod[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil {
            if status?["reason"]?.stringValue == "NodeLost" {
                reason = "Unknown"
            } else if phase != "Succeeded", phase != "Failed" {
                reason = "Terminating"
            }
        }
    }

    private static func lastTerminationTime(_ container: JSONValue) -> Date? {
        container[path: ["lastState", "terminated", "finishedAt"]]?.stringValue.flatMap(RFC3339.parse)
    }

    private static func later(_ lhs: Date?, _ rhs: Date?) -> Date? {
        guard let lhs else { return rhs }
        guard let rhs else { return lhs }
        return max(lhs, rhs)
    }
}

/// The time columns and count of an Event, from core/v1 fields or their events.k8s.io/v1
/// equivalents (`deprecatedFirstTimestamp`, `series`, ...), as the event printer computes them.
struct EventSummary {
    var firstSeen: String
    var lastSeen: String
    var count: Int64

    init(_ event: JSONValue) {
        let now = TableRenderContext.currentTime
        func age(_ keys: [String]) -> String? {
            for key in keys {
                if let text = BuiltinPrinterColumns.nonEmpty(event[key]?.stringValue) {
                    return HumanDuration.age(ofTimestamp: text, now: now)
                }
            }
            return nil
        }
        firstSeen = age(["firstTimestamp", "deprecatedFirstTimestamp"]) ?? age(["eventTime"]) ?? "<unknown>"
        lastSeen = age(["lastTimestamp", "deprecatedLastTimestamp"]) ?? firstSeen
        count = event["count"]?.intValue ?? event["deprecatedCount"]?.intValue ?? 0
        if let series = event["series"], series.objectValue != nil {
            lastSeen = HumanDuration.age(ofTimestamp: series["lastObservedTime"]?.stringValue, now: now)
            count = series["count"]?.intValue ?? 0
        } else if count == 0 {
            count = 1  // singleton events carry no count in the events.k8s.io API
        }
    }

    static func involvedObject(_ event: JSONValue) -> JSONValue? {
        event["involvedObject"] ?? event["regarding"]
    }
}
