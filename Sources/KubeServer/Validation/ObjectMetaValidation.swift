import KubeModel

// ObjectMeta validation as apimachinery's ValidateObjectMetaAccessor does it for every write:
// name/generateName syntax, namespace presence by scope, label and annotation syntax, the total
// annotation size, owner references and finalizer names. Paths are under `metadata`.

public enum ObjectMetaLimits {
    /// apimachinery's TotalAnnotationSizeLimitB: keys plus values, in bytes.
    public static let totalAnnotationSize = 256 * 1024
}

/// Validates `metadata` of an object being created or updated. `generateName` alone satisfies
/// the name requirement (the server generates the name before storing).
public func validateObjectMeta(_ metadata: JSONValue, isNamespaced: Bool, nameRule: NameRule) -> [FieldError] {
    let path = FieldPath("metadata")
    var errors: [FieldError] = []
    let name = metadata["name"]?.stringValue ?? ""
    let generateName = metadata["generateName"]?.stringValue ?? ""
    if !generateName.isEmpty {
        for problem in nameRule.problems(with: generateName, isPrefix: true) {
            errors.append(.invalid(path.child("generateName").description, .string(generateName), problem))
        }
    }
    if name.isEmpty {
        if generateName.isEmpty {
            errors.append(.required(path.child("name").description, "name or generateName is required"))
        }
    } else {
        for problem in nameRule.problems(with: name) {
            errors.append(.invalid(path.child("name").description, .string(name), problem))
        }
    }
    let namespace = metadata["namespace"]?.stringValue ?? ""
    if isNamespaced {
        if namespace.isEmpty {
            errors.append(.required(path.child("namespace").description))
        } else {
            for problem in NameValidation.dns1123LabelProblems(namespace) {
                errors.append(.invalid(path.child("namespace").description, .string(namespace), problem))
            }
        }
    } else if !namespace.isEmpty {
        errors.append(.forbidden(path.child("namespace").description, "not allowed on this type"))
    }
    if let generation = metadata["generation"]?.intValue, generation < 0 {
        errors.append(.invalid(path.child("generation").description, .int(generation), "must be greater than or equal to 0"))
    }
    errors += validateLabels(metadata["labels"], path: path.child("labels"))
    errors += validateAnnotations(metadata["annotations"], path: path.child("annotations"))
    errors += validateOwnerReferences(metadata["ownerReferences"], path: path.child("ownerReferences"))
    errors += validateFinalizers(metadata["finalizers"], path: path.child("finalizers"))
    return errors
}

/// `ValidateLabels`: qualified-name keys and label-syntax values, reported at the map's path.
public func validateLabels(_ labels: JSONValue?, path: FieldPath) -> [FieldError] {
    guard let members = labels?.objectValue else { return [] }
    var errors: [FieldError] = []
    for key in members.keys.sorted() {
        for problem in NameValidation.qualifiedNameProblems(key) {
            errors.append(.invalid(path.description, .string(key), problem))
        }
        let value = members[key]?.stringValue ?? ""
        for problem in NameValidation.labelValueProblems(value) {
            errors.append(.invalid(path.description, .string(value), problem))
        }
    }
    return errors
}

/// `ValidateAnnotations`: case-insensitive qualified-name keys and at most 256 KiB in total.
public func validateAnnotations(_ annotations: JSONValue?, path: FieldPath) -> [FieldError] {
    guard let members = annotations?.objectValue else { return [] }
    var errors: [FieldError] = []
    var totalSize = 0
    for key in members.keys.sorted() {
        for problem in NameValidation.qualifiedNameProblems(asciiLowercased(key)) {
            errors.append(.invalid(path.description, .string(key), problem))
        }
        totalSize += key.utf8.count + (members[key]?.stringValue?.utf8.count ?? 0)
    }
    if totalSize > ObjectMetaLimits.totalAnnotationSize {
        errors.append(.tooLong(path.description, maxLength: ObjectMetaLimits.totalAnnotationSize))
    }
    return errors
}

private func asciiLowercased(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 }))
}

/// `ValidateOwnerReferences`: apiVersion (with a version), kind, name and uid must be set, and at
/// most one reference may be the controller.
public func validateOwnerReferences(_ references: JSONValue?, path: FieldPath) -> [FieldError] {
    guard let entries = references?.arrayValue else { return [] }
    var errors: [FieldError] = []
    var controllerName: String?
    for reference in entries {
        let apiVersion = reference["apiVersion"]?.stringValue ?? ""
        let versionParts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        let version = versionParts.count <= 2 ? String(versionParts.last ?? "") : ""
        if version.isEmpty {
            errors.append(.invalid(path.child("apiVersion").description, .string(apiVersion), "version must not be empty"))
        }
        let kind = reference["kind"]?.stringValue ?? ""
        if kind.isEmpty {
            errors.append(.invalid(path.child("kind").description, .string(kind), "kind must not be empty"))
        }
        let name = reference["name"]?.stringValue ?? ""
        if name.isEmpty {
            errors.append(.invalid(path.child("name").description, .string(name), "name must not be empty"))
        }
        let uid = reference["uid"]?.stringValue ?? ""
        if uid.isEmpty {
            errors.append(.invalid(path.child("uid").description, .string(uid), "uid must not be empty"))
        }
        if reference["controller"]?.boolValue == true {
            if let controllerName {
                errors.append(.invalid(path.description, references!,
                    "Only one reference can have Controller set to true. Found \"true\" in references for \(controllerName) and \(name)"))
            } else {
                controllerName = name
            }
        }
    }
    return errors
}

/// `ValidateFinalizers`: each finalizer is a qualified name; the two garbage-collection
/// finalizers are mutually exclusive.
public func validateFinalizers(_ finalizers: JSONValue?, path: FieldPath) -> [FieldError] {
    guard let entries = finalizers?.arrayValue else { return [] }
    var errors: [FieldError] = []
    let names = entries.compactMap(\.stringValue)
    for name in names {
        for problem in NameValidation.qualifiedNameProblems(name) {
            errors.append(.invalid(path.description, .string(name), problem))
        }
    }
    if names.contains("orphan") && names.contains("foregroundDeletion") {
        errors.append(.invalid(path.description, finalizers!, "finalizer orphan and foregroundDeletion cannot be both set"))
    }
    return errors
}
