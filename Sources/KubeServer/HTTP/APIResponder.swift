import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

// The HTTP front of the API server: authenticates and authorizes each request, then routes it
// to discovery, OpenAPI, health, or the resource handlers, and renders results as JSON, Table or
// a watch stream. Every failure leaves as a `Status` object.

struct APIResponder: HTTPResponder {
    typealias Context = APIRequestContext

    let core: APIServerCore
    let security: ServerSecurity
    var counter: RequestCounter?

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        var request = request
        let path = request.uri.path
        let query = HTTPSupport.parseQuery(request.uri.query)
        let info = RequestInfo(method: request.method.rawValue, path: path, query: query)
        counter?.record(info)
        do {
            let user = try await security.authenticate(
                authorization: request.headers[.authorization], channel: context.channel)
            try await security.authorize(info, user: user)
            if !info.isResourceRequest {
                return try nonResource(info, request: request)
            }
            var body: [UInt8] = []
            if [.post, .put, .patch, .delete].contains(request.method) {
                let limit = core.options.maxRequestBodyBytes
                do {
                    let buffer = try await request.collectBody(upTo: limit)
                    body = Array(buffer.readableBytesView)
                } catch {
                    throw APIError.tooLarge(limit: limit)
                }
            }
            return try await resource(info, request: request, query: query, body: body, user: user, connection: context.channel)
        } catch let error as APIError {
            return HTTPSupport.errorResponse(error)
        } catch {
            return HTTPSupport.errorResponse(.internal("\(error)"))
        }
    }

    // MARK: Non-resource endpoints

    private func nonResource(_ info: RequestInfo, request: Request) throws -> Response {
        guard request.method == .get || request.method == .head else {
            throw APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
        }
        let accept = request.headers[.accept]
        let definitions = core.registry.allDefinitions()
        switch info.path {
        case "/readyz" where !core.store.acceptsNewWatches, "/readyz/" where !core.store.acceptsNewWatches:
            // As kube-apiserver: not ready once shutdown has begun, so that clients stop
            // counting on this server until it (or its successor) is ready again.
            return HTTPSupport.textResponse("[-]shutdown failed: reason withheld\nreadyz check failed", status: .internalServerError)
        case "/healthz", "/readyz", "/livez", "/healthz/", "/readyz/", "/livez/":
            return HTTPSupport.textResponse("ok")
        case "/version", "/version/":
            return HTTPSupport.jsonResponse(ServerVersion().document)
        case "/openapi/v2", "/openapi/v2/":
            let version = ServerVersion().gitVersion
            if (accept ?? "").contains("protobuf") {
                var headers = HTTPFields()
                headers[.contentType] = OpenAPIV2Document.protobufContentType
                return Response(
                    status: .ok, headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIV2Document.protobuf(version: version))))
            }
            return HTTPSupport.jsonResponse(OpenAPIV2Document.json(version: version))
        case "/openapi/v3", "/openapi/v3/":
            return HTTPSupport.jsonResponse(OpenAPIDocuments(definitions: definitions).index)
        default:
            break
        }
        if info.path.hasPrefix("/openapi/v3/") {
            let documentPath = String(info.path.dropFirst("/openapi/v3/".count))
            guard let document = OpenAPIDocuments(definitions: definitions).document(forPath: documentPath) else {
                throw APIError.resourceNotFound
            }
            return HTTPSupport.jsonResponse(document)
        }
        let discovery = APIDiscovery(definitions: definitions)
        let segments = info.path.split(separator: "/").map(String.init)
        switch segments.count {
        case 1 where segments[0] == "api" || segments[0] == "apis":
            let isCore = segments[0] == "api"
            switch DiscoveryFormat.negotiate(acceptHeader: accept) {
            case .aggregated(let version)?:
                return HTTPSupport.jsonResponse(
                    discovery.aggregatedDiscovery(forCoreGroup: isCore, version: version),
                    contentType: DiscoveryFormat.aggregated(version).contentType, varyByAccept: true)
            case .legacy?, nil:
                return HTTPSupport.jsonResponse(
                    isCore ? discovery.coreAPIVersions(serverAddress: "127.0.0.1") : discovery.groupList(),
                    varyByAccept: true)
            }
        case 2 where segments[0] == "api":
            guard let list = discovery.resourceList(group: "", version: segments[1]) else { throw APIError.resourceNotFound }
            return HTTPSupport.jsonResponse(list)
        case 2 where segments[0] == "apis":
            guard let group = discovery.group(named: segments[1]) else { throw APIError.resourceNotFound }
            return HTTPSupport.jsonResponse(group)
        case 3 where segments[0] == "apis":
            guard let list = discovery.resourceList(group: segments[1], version: segments[2]) else {
                throw APIError.resourceNotFound
            }
            return HTTPSupport.jsonResponse(list)
        default:
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    // MARK: Resources

    /// GET, PUT and PATCH of a `scale` subresource.
    private func scale(
        _ info: RequestInfo, definition: ResourceDefinition, request: Request, query: [String: String], body: [UInt8], user: UserInfo
    ) throws -> Response {
        let namespace = info.objectNamespace
        switch info.verb {
        case "get":
            return HTTPSupport.jsonResponse(try core.getScale(definition, namespace: namespace, name: info.name))
        case "update":
            let object = try decodeBody(body, contentType: request.headers[.contentType])
            let options = try WriteOptions(query: query, userAgent: request.headers[.userAgent], userName: user.name)
            return HTTPSupport.jsonResponse(try core.updateScale(definition, namespace: namespace, name: info.name, body: object, options: options))
        case "patch":
            let contentType = request.headers[.contentType] ?? ""
            guard let type = PatchType(contentType: contentType) else { throw APIError.unsupportedMediaType(contentType) }
            let options = try WriteOptions(query: query, userAgent: request.headers[.userAgent], userName: user.name)
            return HTTPSupport.jsonResponse(
                try core.patchScale(definition, namespace: namespace, name: info.name, type: type, body: body, options: options))
        default:
            throw APIError.methodNotSupported(definition.groupResource, verb: info.verb)
        }
    }

    private func resource(
        _ info: RequestInfo, request: Request, query: [String: String], body: [UInt8], user: UserInfo
    , connection: (any Channel)? = nil) async throws -> Response {
        guard let definition = core.registry.definition(group: info.group, version: info.version, resource: info.resource)
        else {
            throw APIError.resourceNotFound
        }
        if !definition.isNamespaced && !info.objectNamespace.isEmpty {
            throw APIError.resourceNotFound
        }
        let allowedSubresources = [""] + (definition.hasStatusSubresource ? ["status"] : []) + (definition.scale != nil ? ["scale"] : [])
        let isNamespaceFinalize = definition.kind == "Namespace" && definition.group.isEmpty && info.subresource == "finalize"
        guard allowedSubresources.contains(info.subresource) || isNamespaceFinalize else {
            throw APIError.resourceNotFound
        }
        let namespace = info.objectNamespace
        let table = try TableRequest.from(acceptHeader: request.headers[.accept], query: query)
        let userAgent = request.headers[.userAgent]

        if info.subresource == "scale" {
            return try scale(info, definition: definition, request: request, query: query, body: body, user: user)
        }
        switch info.verb {
        case "get":
            let object = try core.get(definition, namespace: namespace, name: info.name)
            guard let table else { return HTTPSupport.jsonResponse(object) }
            return HTTPSupport.jsonResponse(
                table.render([object], definition: definition, listMeta: object["metadata"] ?? .emptyObject),
                contentType: table.contentType)
        case "list":
            let list = try core.list(definition, namespace: namespace, options: ListOptions(query: query))
            if let table {
                return HTTPSupport.jsonResponse(
                    table.render(list["items"]?.arrayValue ?? [], definition: definition, listMeta: list["metadata"] ?? .emptyObject),
                    contentType: table.contentType)
            }
            return HTTPSupport.jsonResponse(list)
        case "watch":
            var options = try ListOptions(query: query)
            if !info.name.isEmpty {
                options.fieldSelector = options.fieldSelector.isEmpty
                    ? "metadata.name=\(info.name)" : options.fieldSelector + ",metadata.name=\(info.name)"
            }
            let started = Result { () throws(APIError) -> WatchSession in
                try core.watch(definition, namespace: namespace, options: options)
            }
            let session: WatchSession
            switch started {
            case .success(let value):
                session = value
            case .failure(let error):
                guard error.code == 410 else { throw error }
                // Like kube-apiserver: the watch starts, then reports 410 Expired as an ERROR event.
                return WatchStreamer.errorResponse(error, contentType: table?.contentType)
            }
            return WatchStreamer(
                session: session, definition: definition, table: table, options: options,
                bookmarkInterval: core.options.bookmarkInterval, connection: connection
            ).response()
        case "create":
            let object = try decodeBody(body, contentType: request.headers[.contentType])
            let options = try WriteOptions(query: query, userAgent: userAgent, userName: user.name)
            if !info.name.isEmpty || !info.subresource.isEmpty {
                throw APIError.methodNotSupported(definition.groupResource, verb: "create")
            }
            let (created, warnings) = try core.create(definition, namespace: namespace, body: object, options: options)
            return HTTPSupport.jsonResponse(created, status: .created, warnings: warnings)
        case "update":
            let object = try decodeBody(body, contentType: request.headers[.contentType])
            let options = try WriteOptions(query: query, userAgent: userAgent, userName: user.name)
            let (updated, warnings, created) = try core.update(
                definition, namespace: namespace, name: info.name, subresource: info.subresource, body: object,
                options: options)
            return HTTPSupport.jsonResponse(updated, status: created ? .created : .ok, warnings: warnings)
        case "patch":
            let contentType = request.headers[.contentType] ?? ""
            guard let type = PatchType(contentType: contentType) else {
                throw APIError.unsupportedMediaType(contentType)
            }
            let options = try WriteOptions(query: query, userAgent: userAgent, userName: user.name)
            let (patched, warnings, created) = try core.patch(
                definition, namespace: namespace, name: info.name, subresource: info.subresource, type: type,
                body: body, options: options)
            return HTTPSupport.jsonResponse(patched, status: created ? .created : .ok, warnings: warnings)
        case "delete":
            let options = try DeleteOptions(query: query, body: body.isEmpty ? nil : try decodeBody(body, contentType: nil))
            let outcome = try core.delete(definition, namespace: namespace, name: info.name, options: options)
            // While finalizers keep the object it is returned (200, as kube-apiserver answers unless the
            // legacy orphanDependents=false is set); a completed delete answers with the object or a Status.
            guard outcome.isDeleted else { return HTTPSupport.jsonResponse(outcome.object) }
            if APIServerCore.returnsDeletedObject(definition) { return HTTPSupport.jsonResponse(outcome.object) }
            return HTTPSupport.jsonResponse(APIServerCore.deletionStatus(outcome.object, definition: definition))
        case "deletecollection":
            let options = try DeleteOptions(query: query, body: body.isEmpty ? nil : try decodeBody(body, contentType: nil))
            let result = try core.deleteCollection(
                definition, namespace: namespace, listOptions: ListOptions(query: query), deleteOptions: options)
            return HTTPSupport.jsonResponse(result)
        default:
            throw APIError.methodNotSupported(definition.groupResource, verb: info.verb)
        }
    }

    private func decodeBody(_ body: [UInt8], contentType: String?) throws -> JSONValue {
        let type = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard !body.isEmpty else { throw APIError.badRequest("the request body is empty; expected an object") }
        switch type {
        case "", "application/json", "*/*":
            do {
                return try JSONValue(parsing: body)
            } catch {
                throw APIError.badRequest("the body of the request could not be decoded as JSON: \(error)")
            }
        case "application/yaml", "application/x-yaml", "text/yaml":
            do {
                return try YAMLDocument.parse(body)
            } catch {
                throw APIError.badRequest("the body of the request could not be decoded as YAML: \(error)")
            }
        case ProtobufBody.contentType:
            do {
                return try ProtobufBody.decode(body)
            } catch {
                throw APIError(
                    code: 415, reason: "UnsupportedMediaType",
                    message: "the body of the request was in an unknown format - \(error.description); accepted media types include: application/json, application/yaml")
            }
        default:
            throw APIError(
                code: 415, reason: "UnsupportedMediaType",
                message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
        }
    }
}
