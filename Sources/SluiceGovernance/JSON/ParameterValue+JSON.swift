import SluiceExpressions

extension [ParameterValue] {
    /// The parameters as one JSON object of strings (`parameters.json`, a run's record); a name given twice keeps
    /// its last value.
    package var canonicalObject: CanonicalJSON {
        .object(Dictionary(map { ($0.name, CanonicalJSON.string($0.value)) }, uniquingKeysWith: { _, last in last }))
    }

    /// The parameters a JSON object of strings holds, sorted by name; anything else (not an object, a value that is
    /// not a string) is left out.
    package init(parsingObject text: String) {
        self.init(object: (try? CanonicalJSON(parsing: [UInt8](text.utf8)))?.objectValue ?? [:])
    }

    /// The string members of a JSON object, sorted by name.
    package init(object: [String: CanonicalJSON]) {
        self = object.keys.sorted().compactMap { name in
            object[name]?.stringValue.map { ParameterValue(name: name, value: $0) }
        }
    }
}
