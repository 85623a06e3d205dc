import Foundation
import KubeModel

// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
// kubectl's imperative commands send for built-in kinds (`kubectl create namespace`,
// `create configmap`, `create secret generic`, `create serviceaccount`). The body is the magic
// `k8s\0` followed by a runtime.Unknown envelope {typeMeta, raw}; `raw` is the object in the
// field numbering of k8s.io/api's generated.proto. Only the kinds those commands create are known;
// any other kind is refused with 415 naming it, so the client can send JSON instead.

enum ProtobufBody {
    static let contentType = "application/vnd.kubernetes.protobuf"

    struct Unsupported: Error, CustomStringConvertible {
        let description: String
    }

    /// The JSON form of a protobuf request body.
    static func decode(_ bytes: [UInt8]) throws(Unsupported) -> JSONValue {
        let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]
        guard bytes.count > 4, Array(bytes.prefix(4)) == magic else {
            throw Unsupported(description: "the protobuf body does not start with the Kubernetes magic number")
        }
        var reader = Reader(bytes: bytes[4...])
        var apiVersion = ""
        var kind = ""
        var raw: ArraySlice<UInt8> = []
        do {
            while let (field, value) = try reader.next() {
                switch (field, value) {
                case (1, .bytes(let typeMeta)):
                    var meta = Reader(bytes: typeMeta)
                    while let (number, part) = try meta.next() {
                        if case .bytes(let text) = part {
                            if number == 1 { apiVersion = String(decoding: text, as: UTF8.self) }
                            if number == 2 { kind = String(decoding: text, as: UTF8.self) }
                        }
                    }
                case (2, .bytes(let object)): raw = object
                default: continue
                }
            }
        } catch {
            throw Unsupported(description: "the protobuf body is malformed: \(error)")
        }
        guard let schema = Schema.kinds["\(apiVersion)/\(kind)"] else {
            throw Unsupported(description: "protobuf bodies of \(kind.isEmpty ? "this kind" : "kind \(kind)") are not supported; send application/json")
        }
        do {
            var object = try decodeMessage(raw, schema).objectValue ?? [:]
            object["apiVersion"] = .string(apiVersion)
            object["kind"] = .string(kind)
            return .object(object)
        } catch {
            throw Unsupported(description: "the protobuf body of kind \(kind) is malformed: \(error)")
        }
    }

    // MARK: Schemas (field numbers of k8s.io/api generated.proto)

    indirect enum Field {
        case string, bytes, int64, bool, time
        case message(Schema)
        case stringMap, bytesMap
        case repeated(Field)
    }

    struct Schema {
        var fields: [Int: (name: String, type: Field)]

        static let time = Schema(fields: [:])
        static let ownerReference = Schema(fields: [
            1: ("kind", .string), 3: ("name", .string), 4: ("uid", .string), 5: ("apiVersion", .string),
            6: ("controller", .bool), 7: ("blockOwnerDeletion", .bool),
        ])
        static let objectMeta = Schema(fields: [
            1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 5: ("uid", .string),
            6: ("resourceVersion", .string), 7: ("generation", .int64), 8: ("creationTimestamp", .time),
            9: ("deletionTimestamp", .time), 10: ("deletionGracePeriodSeconds", .int64), 11: ("labels", .stringMap),
            12: ("annotations", .stringMap), 13: ("ownerReferences", .repeated(.message(ownerReference))),
            14: ("finalizers", .repeated(.string)),
        ])
        static let objectReference = Schema(fields: [
            1: ("kind", .string), 2: ("namespace", .string), 3: ("name", .string), 4: ("uid", .string),
            5: ("apiVersion", .string), 6: ("resourceVersion", .string), 7: ("fieldPath", .string),
        ])
        static let kinds: [String: Schema] = [
            "v1/Namespace": Schema(fields: [
                1: ("metadata", .message(objectMeta)),
                2: ("spec", .message(Schema(fields: [1: ("finalizers", .repeated(.string))]))),
            ]),
            "v1/ConfigMap": Schema(fields: [
                1: ("metadata", .message(objectMeta)), 2: ("data", .stringMap), 3: ("binaryData", .bytesMap),
                4: ("immutable", .bool),
            ]),
            "v1/Secret": Schema(fields: [
                1: ("metadata", .message(objectMeta)), 2: ("data", .bytesMap), 3: ("type", .string),
                4: ("stringData", .stringMap), 5: ("immutable", .bool),
            ]),
            "v1/ServiceAccount": Schema(fields: [
                1: ("metadata", .message(objectMeta)), 2: ("secrets", .repeated(.message(objectReference))),
                3: ("imagePullSecrets", .repeated(.message(Schema(fields: [1: ("name", .string)])))),
                4: ("automountServiceAccountToken", .bool),
            ]),
        ]
    }

    // MARK: Decoding

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed
    }

    struct Reader {
        var bytes: ArraySlice<UInt8>

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = bytes.popFirst() {
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
                guard shift < 64 else { break }
            }
            throw Malformed(description: "truncated or overlong varint")
        }

        /// The next field number and value, or nil at the end.
        mutating func next() throws -> (Int, Value)? {
            guard !bytes.isEmpty else { return nil }
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: return (number, .varint(try varint()))
            case 1:
                guard bytes.count >= 8 else { throw Malformed(description: "truncated fixed64") }
                bytes = bytes.dropFirst(8)
                return (number, .fixed)
            case 2:
                // A length beyond Int's range is as truncated as one beyond the body (and must not trap).
                guard let length = Int(exactly: try varint()), bytes.count >= length else {
                    throw Malformed(description: "truncated field \(number)")
                }
                let value = bytes.prefix(length)
                bytes = bytes.dropFirst(length)
                return (number, .bytes(value))
            case 5:
                guard bytes.count >= 4 else { throw Malformed(description: "truncated fixed32") }
                bytes = bytes.dropFirst(4)
                return (number, .fixed)
            default:
                throw Malformed(description: "unsupported wire type \(key & 7) in field \(number)")
            }
        }
    }

    static func decodeMessage(_ bytes: ArraySlice<UInt8>, _ schema: Schema) throws -> JSONValue {
        var reader = Reader(bytes: bytes)
        var object: [String: JSONValue] = [:]
        while let (number, value) = try reader.next() {
            guard let (name, type) = schema.fields[number] else { continue }
            switch type {
            case .repeated(let element):
                var items = object[name]?.arrayValue ?? []
                items.append(try decodeScalar(value, element))
                object[name] = .array(items)
            case .stringMap, .bytesMap:
                guard case .bytes(let entry) = value else { throw Malformed(description: "map \(name) is not length-delimited") }
                var entryReader = Reader(bytes: entry)
                var key = ""
                var item: JSONValue = .string("")
                while let (entryNumber, entryValue) = try entryReader.next() {
                    guard case .bytes(let text) = entryValue else { continue }
                    if entryNumber == 1 { key = String(decoding: text, as: UTF8.self) }
                    if entryNumber == 2 {
                        item = .string(
                            type == .bytesMap ? Data(text).base64EncodedString() : String(decoding: text, as: UTF8.self))
                    }
                }
                var map = object[name]?.objectValue ?? [:]
                map[key] = item
                object[name] = .object(map)
            default:
                // proto2 writes Go's zero values ("" / 0 / false / the zero time) that JSON's
                // omitempty would leave out; leave them out too.
                let decoded = try decodeScalar(value, type)
                if Self.isZero(decoded) { continue }
                object[name] = decoded
            }
        }
        return .object(object)
    }

    static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return text.isEmpty || text == Time(secondsSinceEpoch: 0).rfc3339
        case .int(let number): return number == 0
        case .bool(let flag): return !flag
        case .object(let members): return members.isEmpty
        default: return false
        }
    }

    static func decodeScalar(_ value: Value, _ type: Field) throws -> JSONValue {
        switch (type, value) {
        case (.string, .bytes(let text)): return .string(String(decoding: text, as: UTF8.self))
        case (.bytes, .bytes(let data)): return .string(Data(data).base64EncodedString())
        case (.int64, .varint(let number)): return .int(Int64(bitPattern: number))
        case (.bool, .varint(let number)): return .bool(number != 0)
        case (.message(let schema), .bytes(let data)): return try decodeMessage(data, schema)
        case (.time, .bytes(let data)):
            var reader = Reader(bytes: data)
            var seconds: Int64 = 0
            while let (number, part) = try reader.next() {
                if number == 1, case .varint(let value) = part { seconds = Int64(bitPattern: value) }
            }
            // Years 0001 to 9999, the range RFC 3339 (and Go's JSON encoding of a time) can express.
            guard (-62_135_596_800...253_402_300_799).contains(seconds) else {
                throw Malformed(description: "timestamp \(seconds) is out of range")
            }
            return .string(Time(secondsSinceEpoch: seconds).rfc3339)
        default:
            throw Malformed(description: "a field does not have the wire type of its kind")
        }
    }
}

extension ProtobufBody.Field: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.string, .string), (.bytes, .bytes), (.int64, .int64), (.bool, .bool), (.time, .time),
            (.stringMap, .stringMap), (.bytesMap, .bytesMap):
            return true
        default:
            return false
        }
    }
}
