import KubeModel

// A minimal OpenAPI v2 document. kubectl asks for /openapi/v2 (as protobuf) during client-side
// apply of built-in kinds when the v3 document does not describe their fields; an empty but
// valid document makes it fall back to its compiled-in patch metadata without an error.

enum OpenAPIV2Document {
    static let protobufContentType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    static let title = "Kubernetes"

    static func json(version: String) -> JSONValue {
        ["swagger": "2.0", "info": ["title": .string(title), "version": .string(version)], "paths": .emptyObject]
    }

    /// gnostic `openapi_v2.Document` with `swagger` (field 1) and `info` (field 2: title 1, version 2).
    static func protobuf(version: String) -> [UInt8] {
        func stringField(_ number: UInt8, _ text: String) -> [UInt8] {
            lengthDelimited(number, Array(text.utf8))
        }
        func lengthDelimited(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] {
            [number << 3 | 2] + varint(bytes.count) + bytes
        }
        func varint(_ value: Int) -> [UInt8] {
            var value = value
            var bytes: [UInt8] = []
            repeat {
                var byte = UInt8(value & 0x7F)
                value >>= 7
                if value > 0 { byte |= 0x80 }
                bytes.append(byte)
            } while value > 0
            return bytes
        }
        let info = stringField(1, title) + stringField(2, version)
        return stringField(1, "2.0") + lengthDelimited(2, info)
    }
}
