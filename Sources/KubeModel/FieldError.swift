// Field-level validation errors, rendered exactly as apimachinery's `field.Error` renders them,
// because clients (and users' scripts) match on these messages and on `details.causes`.

/// The kind of a field validation failure; raw values are the `details.causes[].reason` strings.
public enum FieldErrorType: String, Sendable, Hashable, CaseIterable {
    case notFound = "FieldValueNotFound"
    case required = "FieldValueRequired"
    case duplicate = "FieldValueDuplicate"
    case invalid = "FieldValueInvalid"
    case notSupported = "FieldValueNotSupported"
    case forbidden = "FieldValueForbidden"
    case tooLong = "FieldValueTooLong"
    case tooMany = "FieldValueTooMany"
    case `internal` = "InternalError"
    case typeInvalid = "FieldValueTypeInvalid"

    /// The human phrase apimachinery prints for the type.
    public var phrase: String {
        switch self {
        case .notFound: return "Not found"
        case .required: return "Required value"
        case .duplicate: return "Duplicate value"
        case .invalid: return "Invalid value"
        case .notSupported: return "Unsupported value"
        case .forbidden: return "Forbidden"
        case .tooLong: return "Too long"
        case .tooMany: return "Too many"
        case .internal: return "Internal error"
        case .typeInvalid: return "Invalid value"
        }
    }
}

/// One invalid field, e.g. `spec.color: Unsupported value: "purple": supported values: "red", "green"`.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public var type: FieldErrorType
    /// Dotted field path as apimachinery prints it: `spec.ports[0].port`, `metadata.labels[app]`.
    public var field: String
    /// The offending value; `nil` when the error carries none (Required, Forbidden, TooLong, Internal).
    public var badValue: JSONValue?
    public var detail: String

    public init(_ type: FieldErrorType, field: String, badValue: JSONValue? = nil, detail: String = "") {
        self.type = type
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(.required, field: field, detail: detail)
    }

    public static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(.invalid, field: field, badValue: value, detail: detail)
    }

    public static func notSupported(_ field: String, _ value: JSONValue, supported: [String]) -> FieldError {
        let list = supported.map { GoSyntax.quoted($0) }.joined(separator: ", ")
        return FieldError(.notSupported, field: field, badValue: value, detail: "supported values: \(list)")
    }

    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(.forbidden, field: field, detail: detail)
    }

    public static func tooLong(_ field: String, maxLength: Int) -> FieldError {
        FieldError(.tooLong, field: field, detail: "may not be more than \(maxLength) bytes")
    }

    public static func tooMany(_ field: String, actual: Int, max: Int) -> FieldError {
        FieldError(.tooMany, field: field, badValue: .int(Int64(actual)), detail: "must have at most \(max) items")
    }

    public static func duplicate(_ field: String, _ value: JSONValue) -> FieldError {
        FieldError(.duplicate, field: field, badValue: value)
    }

    public static func typeInvalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(.typeInvalid, field: field, badValue: value, detail: detail)
    }

    /// The message without the field path (what goes into `details.causes[].message`).
    public var body: String {
        var text = type.phrase
        switch type {
        case .required, .forbidden, .tooLong, .internal:
            break
        default:
            if let badValue {
                text += ": " + FieldError.render(badValue)
            }
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    /// `field: body`, as apimachinery's `Error()`.
    public var description: String {
        field.isEmpty ? body : "\(field): \(body)"
    }

    /// Renders a bad value the way Go's `%#v`/`%q` does for the common JSON cases.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return GoSyntax.quoted(text)
        case .array: return "\"array\""
        case .object: return "\"object\""
        }
    }

    /// A value as apimachinery prints an unstructured bad value: scalars as `%v`/`%q`, and Go's
    /// `%#v` for a map (`map[string]interface {}{"name":"a"}`, keys sorted) or a list
    /// (`[]interface {}{"a", 1}`).
    public static func goSyntax(_ value: JSONValue) -> String {
        switch value {
        case .array, .object: return goSyntaxNested(value)
        default: return render(value)
        }
    }

    private static func goSyntaxNested(_ value: JSONValue) -> String {
        switch value {
        case .null: return "interface {}(nil)"
        case .array(let elements): return "[]interface {}{" + elements.map(goSyntaxNested).joined(separator: ", ") + "}"
        case .object(let members):
            let entries = members.keys.sorted().map { GoSyntax.quoted($0) + ":" + goSyntaxNested(members[$0]!) }
            return "map[string]interface {}{" + entries.joined(separator: ", ") + "}"
        case .array(let elements): return "[]interface {}{" + elements.map(goSyntax).joined(separator: ", ") + "}"
        case .object(let members):
            let entries = members.keys.sorted().map { GoSyntax.quoted($0) + ":" + goSyntax(members[$0]!) }
            return "map[string]interface {}{" + entries.joined(separator: ", ") + "}"
        default: return render(value)
        }
    }

}

/// Builds dotted field paths as apimachinery's `field.Path` does.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public private(set) var description: String

    public init(_ root: String = "") { description = root }

    public func child(_ name: String) -> FieldPath {
        FieldPath(description.isEmpty ? name : "\(description).\(name)")
    }

    public func index(_ index: Int) -> FieldPath {
        FieldPath("\(description)[\(index)]")
    }

    public func key(_ key: String) -> FieldPath {
        FieldPath("\(description)[\(key)]")
    }
}
