/// A lint note or warning: something accepted but worth telling the user (a field that is ignored).
package struct SpecNote: Sendable, Equatable, CustomStringConvertible {
    /// How much the user should care.
    package enum Severity: String, Sendable, Equatable {
        /// Kubernetes-only tuning that means nothing to a local run.
        case note
        /// A field Kubernetes would act on that Sluice ignores: the run may behave differently than on Argo.
        case warning
    }

    package var location: SourceLocation
    package var message: String
    package var severity: Severity = .note

    package var description: String { "\(location): \(severity.rawValue): \(message)" }
}

/// Walks a document against ``ArgoSchema`` and collects every unknown, mistyped, missing or unsupported field.
package struct SchemaChecker {
    package private(set) var errors: [SpecError] = []
    package private(set) var notes: [SpecNote] = []

    package init() {}

    /// Checks `value` (found at `path`) against the named object shape.
    package mutating func check(_ value: YAMLValue, as objectName: String, at path: SpecPath) {
        check(value, shape: .object(objectName), at: path)
    }

    /// `keyLocation` is where the field's key is written, when the value sits under a key: field-level notes and
    /// refusals point there rather than at the first line of the value.
    private mutating func check(
        _ value: YAMLValue, shape: FieldShape, at path: SpecPath, keyLocation: SourceLocation? = nil
    ) {
        switch shape {
        case .any:
            return
        case .kubernetesOnly:
            let field =
                path.components.last.map { component -> String in
                    if case .key(let name) = component { return name }
                    return path.description
                } ?? path.description
            notes.append(
                SpecNote(
                    location: keyLocation ?? value.location,
                    message: "'\(field)' only tunes Kubernetes objects; Sluice accepts and ignores it (at \(path))"
                ))
        case .ignored(let reason):
            notes.append(
                SpecNote(
                    location: keyLocation ?? value.location,
                    message: "'\(Self.fieldName(path))' is ignored: \(reason) (at \(path))", severity: .warning))
        case .partialMap(let honoured, let reason):
            if value.isNull { return }
            guard case .mapping(let entries, _) = value else { return wrongType("a mapping", value, path) }
            for entry in entries {
                if entry.value.scalarText == nil { wrongType("a scalar", entry.value, path.key(entry.key)) }
                if !honoured.contains(entry.key) {
                    notes.append(
                        SpecNote(
                            location: entry.keyLocation,
                            message: "'\(entry.key)' is ignored: \(reason) (at \(path.key(entry.key)))",
                            severity: .warning))
                }
            }
        case .unsupported(let reason):
            let field =
                path.components.last.map { component -> String in
                    if case .key(let name) = component { return name }
                    return path.description
                } ?? path.description
            let location = keyLocation ?? value.location
            errors.append(.unsupported(feature: "'\(field)'", at: location, path: path, reason: reason))
        case .scalar:
            if value.isNull { return }
            if value.scalarText == nil { wrongType("a scalar", value, path) }
        case .bool:
            if value.isNull { return }
            guard let text = value.scalarText else { return wrongType("a boolean", value, path) }
            if !["true", "false", "True", "False", "TRUE", "FALSE"].contains(text) && !text.contains("{{") {
                wrongType("a boolean", value, path)
            }
        case .int:
            if value.isNull { return }
            guard let text = value.scalarText else { return wrongType("an integer", value, path) }
            if Int(text) == nil && !text.contains("{{") { wrongType("an integer", value, path) }
        case .stringMap:
            if value.isNull { return }
            guard case .mapping(let entries, _) = value else { return wrongType("a mapping", value, path) }
            for entry in entries where entry.value.scalarText == nil {
                wrongType("a scalar", entry.value, path.key(entry.key))
            }
        case .list(let element):
            if value.isNull { return }
            guard case .sequence(let elements, _) = value else { return wrongType("a sequence", value, path) }
            for (index, item) in elements.enumerated() {
                check(item, shape: element, at: path.index(index))
            }
        case .object(let name):
            if value.isNull { return }
            guard let object = ArgoSchema.objects[name] else {
                preconditionFailure("schema names unknown object shape '\(name)'")
            }
            guard case .mapping(let entries, _) = value else { return wrongType("a mapping", value, path) }
            var seen: [String: SourceLocation] = [:]
            for entry in entries {
                let fieldPath = path.key(entry.key)
                if let first = seen[entry.key] {
                    errors.append(
                        .duplicateName(
                            kind: "field", name: entry.key, at: entry.keyLocation,
                            path: fieldPath, firstAt: first))
                    continue
                }
                seen[entry.key] = entry.keyLocation
                guard let fieldShape = object.fields[entry.key] else {
                    errors.append(.unknownField(field: entry.key, at: entry.keyLocation, path: fieldPath))
                    continue
                }
                check(entry.value, shape: fieldShape, at: fieldPath, keyLocation: entry.keyLocation)
            }
            for field in object.required where seen[field] == nil || value[field]?.isNull == true {
                errors.append(.missingField(field: field, at: value.location, path: path))
            }
        }
    }

    /// The last key of `path`, or the whole path when it ends in an index.
    private static func fieldName(_ path: SpecPath) -> String {
        if case .key(let name) = path.components.last { return name }
        return path.description
    }

    private mutating func wrongType(_ expected: String, _ value: YAMLValue, _ path: SpecPath) {
        errors.append(.wrongType(expected: expected, found: value.kindName, at: value.location, path: path))
    }
}
