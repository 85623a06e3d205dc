import Foundation
import KubeClient
import KubeModel
import Testing

@Suite("Resource APIs against the embedded server")
struct ResourceAPITests {
    private func configMap(_ name: String, data: [String: String] = ["k": "v"], labels: [String: String]? = nil) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, labels: labels), data: data)
    }

    @Test func typedVerbsCreateReadReplacePatchAndDelete() async throws {
        try await withAdminClient { client in
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "work")))
            let api = client.api(ConfigMap.self, namespace: "work")

            let created = try await api.create(configMap("settings"))
            #expect(created.metadata.namespace == "work")
            #expect(created.metadata.uid != nil)

            var fetched = try await api.get("settings")
            #expect(fetched.data == ["k": "v"])

            fetched.data = ["k": "replaced"]
            let replaced = try await api.replace(fetched)
            #expect(replaced.data == ["k": "replaced"])
            #expect(replaced.metadata.resourceVersion != fetched.metadata.resourceVersion)

            let merged = try await api.patch("settings", .merge(["data": ["merged": "yes"]]))
            #expect(merged.data == ["k": "replaced", "merged": "yes"])

            let jsonPatched = try await api.patch("settings", .json([.remove(path: JSONPointer(tokens: ["data", "k"]))]))
            #expect(jsonPatched.data == ["merged": "yes"])

            let strategic = try await api.patch("settings", .strategicMerge(["metadata": ["labels": ["tier": "web"]]]))
            #expect(strategic.metadata.labels == ["tier": "web"])

            let applied = try await api.apply(
                configMap("applied", data: ["owner": "me"]), fieldManager: "kubeclient-test")
            #expect(applied.data == ["owner": "me"])
            #expect(applied.metadata.managedFields?.contains { $0.manager == "kubeclient-test" } == true)

            let gone = try await api.delete("settings")
            #expect(gone == nil || gone?.metadata.name == "settings")
            await #expect { try await api.get("settings") } throws: { ($0 as? KubeClientError)?.isNotFound == true }
        }
    }

    @Test func clusterScopedKindsUseTheCollectionWithoutNamespace() async throws {
        try await withAdminClient { client in
            let namespaces = client.api(Namespace.self)
            _ = try await namespaces.create(Namespace(metadata: ObjectMeta(name: "scoped", labels: ["team": "a"])))
            let list = try await namespaces.list(labelSelector: "team=a")
            #expect(list.items.map(\.metadata.name) == ["scoped"])
            #expect(list.metadata.resourceVersion?.isEmpty == false)
        }
    }

    @Test func replaceStatusWritesOnlyTheStatus() async throws {
        try await withAdminClient { client in
            let namespaces = client.api(Namespace.self)
            var namespace = try await namespaces.create(Namespace(metadata: ObjectMeta(name: "status-ns")))
            namespace.metadata.labels = ["ignored": "true"]
            namespace.status = NamespaceStatus(phase: "Active")
            let written = try await namespaces.replaceStatus(namespace)
            #expect(written.metadata.labels?["ignored"] == nil)
            #expect(written.status?.phase == "Active")
        }
    }

    @Test func listFollowsContinueTokensAcrossPages() async throws {
        try await withAdminClient { client in
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "paged")))
            let api = client.api(ConfigMap.self, namespace: "paged")
            for index in 0..<23 { _ = try await api.create(configMap(String(format: "cm-%02d", index), labels: ["set": "paged"])) }
            let list = try await api.list(labelSelector: "set=paged", pageSize: 5)
            #expect(list.items.count == 23)
            #expect(Set(list.items.compactMap(\.metadata.name)).count == 23)
            #expect(list.metadata.resourceVersion != nil)
            #expect(list.metadata.continue == nil)

            let dynamic = client.dynamic(apiVersion: "v1", plural: "configmaps", namespaced: true, namespace: "paged")
            let dynamicList = try await dynamic.list(pageSize: 4)
            #expect(dynamicList.items.count >= 23)
        }
    }

    @Test func dynamicVerbsWorkOnUnstructuredObjects() async throws {
        try await withAdminClient { client in
            let namespaces = client.dynamic(apiVersion: "v1", plural: "namespaces", namespaced: false)
            _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "dyn"]])
            let api = client.dynamic(apiVersion: "v1", plural: "configmaps", namespaced: true, namespace: "dyn")
            let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "raw"], "data": ["a": "1"]]
            let created = try await api.create(object)
            #expect(created[path: ["metadata", "namespace"]] == "dyn")

            var fetched = try await api.get("raw")
            fetched["data"] = ["a": "2"]
            let replaced = try await api.replace(fetched)
            #expect(replaced[path: ["data", "a"]] == "2")

            let patched = try await api.patch("raw", .merge(["data": ["b": "3"]]))
            #expect(patched["data"] == ["a": "2", "b": "3"])
            let applied = try await api.patch(
                "applied", .apply(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"], "data": ["x": "y"]],
                                  fieldManager: "dyn-test", force: true))
            #expect(applied[path: ["data", "x"]] == "y")

            try await api.deleteCollection()
            let remaining = try await api.list()
            #expect(remaining.items.allSatisfy { $0[path: ["metadata", "deletionTimestamp"]] != nil })

            let afterDelete = try await namespaces.delete("dyn", propagationPolicy: .background)
            #expect(afterDelete?[path: ["metadata", "name"]] == "dyn" || afterDelete == nil)
        }
    }

    @Test func serverErrorsMapToTheirPredicates() async throws {
        try await withAdminClient { client in
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "errs")))
            let api = client.api(ConfigMap.self, namespace: "errs")
            let created = try await api.create(configMap("one"))

            let notFound = await error { try await api.get("missing") }
            #expect(notFound?.isNotFound == true)
            #expect(notFound?.code == 404)
            #expect(notFound?.status?.details?.name == "missing")
            #expect(notFound?.description == "configmaps \"missing\" not found")

            let exists = await error { try await api.create(configMap("one")) }
            #expect(exists?.isAlreadyExists == true)
            #expect(exists?.isConflict == false)

            var stale = created
            stale.data = ["k": "first"]
            _ = try await api.replace(stale)
            stale.data = ["k": "second"]
            let conflict = await error { try await api.replace(stale) }
            #expect(conflict?.isConflict == true)
            #expect(conflict?.isAlreadyExists == false)

            let invalid = await error { try await api.create(configMap("Not_Valid")) }
            #expect(invalid?.isInvalid == true)
            #expect(invalid?.code == 422)

            let precondition = await error { try await api.delete("one", preconditions: Preconditions(uid: "not-the-uid")) }
            #expect(precondition?.isConflict == true)
        }
    }

    @Test func retryOnConflictRereadsAndWritesUntilItSucceeds() async throws {
        try await withAdminClient { client in
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "retry")))
            let api = client.api(ConfigMap.self, namespace: "retry")
            let original = try await api.create(configMap("counter", data: ["n": "0"]))
            let attempts = Counter()
            try await retryOnConflict {
                let number = attempts.increment()
                // The first attempt writes from a stale copy, as a racing writer would cause.
                var current = number == 1 ? original : try await api.get("counter")
                if number == 1 { _ = try await api.patch("counter", .merge(["data": ["n": "1"]])) }
                current.data = ["n": "2"]
                _ = try await api.replace(current)
            }
            #expect(attempts.value == 2)
            #expect(try await api.get("counter").data == ["n": "2"])
        }
    }

    @Test func retryOnConflictGivesUpAfterTheConfiguredSteps() async throws {
        let attempts = Counter()
        let conflict = KubeClientError(status: Status(message: "conflict", reason: "Conflict", code: 409))
        await #expect { try await retryOnConflict(backoff: Backoff(duration: .milliseconds(1), factor: 1, jitter: 0.1, steps: 3)) {
            attempts.increment()
            throw conflict
        } } throws: { ($0 as? KubeClientError)?.isConflict == true }
        #expect(attempts.value == 3)
    }
}

/// The KubeClientError `body` throws, or nil.
func error<T>(_ body: () async throws -> T) async -> KubeClientError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? KubeClientError
    }
}

/// A thread-safe counter for closures.
final class Counter: Sendable {
    private let state = Mutex(0)
    @discardableResult
    func increment() -> Int { state.withLock { $0 += 1; return $0 } }
    var value: Int { state.withLock { $0 } }
}

import Synchronization
