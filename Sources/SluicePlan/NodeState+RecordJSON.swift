import SluiceExpressions

/// The JSON text of a node record's `inputs_json`, `outputs_json` and `children_json` columns, written directly.
///
/// The text is what `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` writes for the same values (the
/// readers decode it with `JSONDecoder`), at a fraction of its cost: the coordinator encodes a pod's inputs and
/// outputs at each of its transitions, and `JSONEncoder` was 2% of the engine's CPU on a chain of nodes.
package enum NodeRecordJSON {
    /// `{"artifacts":[…],"parameters":[…]}`.
    package static func text(of inputs: NodeInputs) -> String {
        var json = Writer()
        json.raw("{\"artifacts\":[")
        for (index, artifact) in inputs.artifacts.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{\"digest\":")
            json.string(artifact.digest)
            if let from = artifact.from {
                json.raw(",\"from\":")
                json.string(from)
            }
            json.raw(",\"name\":")
            json.string(artifact.name)
            if let path = artifact.path {
                json.raw(",\"path\":")
                json.string(path)
            }
            json.raw("}")
        }
        json.raw("],\"parameters\":")
        json.parameters(inputs.parameters)
        json.raw("}")
        return json.text
    }

    /// `{"artifacts":[…],"exitCode":…,"parameters":[…],"result":…}` (absent members left out).
    package static func text(of outputs: NodeOutputs) -> String {
        var json = Writer()
        json.raw("{\"artifacts\":[")
        for (index, artifact) in outputs.artifacts.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{\"digest\":")
            json.string(artifact.digest)
            if let envelopeDigest = artifact.envelopeDigest {
                json.raw(",\"envelopeDigest\":")
                json.string(envelopeDigest)
            }
            json.raw(",\"kind\":")
            json.string(artifact.kind.rawValue)
            json.raw(",\"name\":")
            json.string(artifact.name)
            if let path = artifact.path {
                json.raw(",\"path\":")
                json.string(path)
            }
            json.raw(",\"producerDisplayName\":")
            json.string(artifact.producerDisplayName)
            json.raw(",\"producerNodeID\":")
            json.string(artifact.producerNodeID)
            json.raw(",\"storedPath\":")
            json.string(artifact.storedPath)
            json.raw("}")
        }
        json.raw("]")
        if let exitCode = outputs.exitCode {
            json.raw(",\"exitCode\":")
            json.string(exitCode)
        }
        json.raw(",\"parameters\":")
        json.parameters(outputs.parameters)
        if let result = outputs.result {
            json.raw(",\"result\":")
            json.string(result)
        }
        json.raw("}")
        return json.text
    }

    /// A JSON array of strings (a node's children ids).
    package static func text(of strings: [String]) -> String {
        var json = Writer()
        json.raw("[")
        for (index, string) in strings.enumerated() {
            if index > 0 { json.raw(",") }
            json.string(string)
        }
        json.raw("]")
        return json.text
    }

    /// JSON text appended in UTF-8, strings escaped as `JSONEncoder` escapes them.
    private struct Writer {
        private var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(256) }

        var text: String { String(decoding: bytes, as: UTF8.self) }

        mutating func raw(_ text: StaticString) {
            text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        mutating func parameters(_ parameters: [ParameterValue]) {
            raw("[")
            for (index, parameter) in parameters.enumerated() {
                if index > 0 { raw(",") }
                raw("{\"name\":")
                string(parameter.name)
                raw(",\"value\":")
                string(parameter.value)
                raw("}")
            }
            raw("]")
        }

        /// `"…"`, escaped as `JSONEncoder` escapes it.
        mutating func string(_ value: String) {
            JSONStringWriter.append(value, to: &bytes)
        }
    }
}
