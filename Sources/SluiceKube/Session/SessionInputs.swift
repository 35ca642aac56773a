package import SluiceGovernance

/// What the wrapper tells the signer before the user's command starts: the verified inputs, the chain depth they
/// give the node, and the command about to run. The signer keeps it; nothing the command does later changes it.
package struct SessionInputs: Sendable, Equatable {
    package var inputs: [LineagePredicate.Input]
    package var chainDepth: Int
    package var command: [String]

    package init(inputs: [LineagePredicate.Input], chainDepth: Int, command: [String]) {
        self.inputs = inputs
        self.chainDepth = chainDepth
        self.command = command
    }

    /// The message's JSON form.
    package var json: CanonicalJSON {
        [
            "type": "inputs",
            "chainDepth": .integer(Int64(chainDepth)),
            "command": .array(command.map { .string($0) }),
            "inputs": .array(inputs.map(Self.json(for:))),
        ]
    }

    private static func json(for input: LineagePredicate.Input) -> CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "name": .string(input.name), "kind": .string(input.kind.rawValue),
            "digest": .object(input.digest.mapValues { .string($0) }),
        ]
        if let producer = input.producerNode { object["producerNode"] = .string(producer) }
        if let subject = input.subjectName { object["subjectName"] = .string(subject) }
        if let envelope = input.envelopePayloadDigest { object["envelopePayloadDigest"] = .string(envelope.hex) }
        if let source = input.source {
            var members: [String: CanonicalJSON] = ["kind": .string(source.kind)]
            if let name = source.name { members["name"] = .string(name) }
            object["source"] = .object(members)
        }
        return .object(object)
    }

    /// Reads the message back, checking every field the signer will sign.
    ///
    /// - Throws: ``KubeError/session(reason:)`` naming what is malformed.
    package init(json: CanonicalJSON) throws(KubeError) {
        guard let depth = json["chainDepth"]?.integerValue, depth >= 1, depth < 1_000_000,
            let command = json["command"]?.arrayValue?.compactMap(\.stringValue),
            let entries = json["inputs"]?.arrayValue
        else { throw .session(reason: "the inputs message is malformed") }
        var inputs: [LineagePredicate.Input] = []
        for entry in entries {
            guard let name = entry["name"]?.stringValue, let kindText = entry["kind"]?.stringValue,
                let kind = LineagePredicate.Input.Kind(rawValue: kindText),
                let digest = entry["digest"]?.objectValue?.compactMapValues(\.stringValue), !digest.isEmpty,
                digest.values.allSatisfy({ (try? Digest(hex: $0)) != nil })
            else { throw .session(reason: "an input of the inputs message is malformed") }
            var envelope: Digest?
            if let hex = entry["envelopePayloadDigest"]?.stringValue {
                guard let parsed = try? Digest(hex: hex) else {
                    throw .session(reason: "an input's envelope digest is malformed")
                }
                envelope = parsed
            }
            let source = entry["source"].flatMap { value -> LineagePredicate.Input.Source? in
                value["kind"]?.stringValue.map { .init(kind: $0, name: value["name"]?.stringValue) }
            }
            inputs.append(
                .init(
                    name: name, kind: kind, digest: digest, producerNode: entry["producerNode"]?.stringValue,
                    subjectName: entry["subjectName"]?.stringValue, envelopePayloadDigest: envelope, source: source))
        }
        self.init(inputs: inputs, chainDepth: Int(depth), command: command)
    }
}

/// What the wrapper tells the signer after the user's command: the digests of the outputs as Argo delivers them,
/// and whether the command failed.
package struct SessionOutputs: Sendable, Equatable {
    package var subjects: [Statement.Subject]
    /// `Failed` when the command exited non-zero (its outputs are signed too, as locally); nil on success.
    package var outcome: String?

    package init(subjects: [Statement.Subject], outcome: String?) {
        self.subjects = subjects
        self.outcome = outcome
    }

    /// The message's JSON form.
    package var json: CanonicalJSON {
        var object: [String: CanonicalJSON] = [
            "type": "outputs",
            "subjects": .array(
                subjects.map { subject in
                    ["name": .string(subject.name), "digest": .object(subject.digest.mapValues { .string($0) })]
                }),
        ]
        if let outcome { object["outcome"] = .string(outcome) }
        return .object(object)
    }

    /// Reads the message back: subject names must be outputs, each digest `sha256` or `dirHash` of 64 hex.
    ///
    /// - Throws: ``KubeError/session(reason:)``.
    package init(json: CanonicalJSON) throws(KubeError) {
        guard let entries = json["subjects"]?.arrayValue else {
            throw .session(reason: "the outputs message is malformed")
        }
        var subjects: [Statement.Subject] = []
        var names: Set<String> = []
        for entry in entries {
            guard let name = entry["name"]?.stringValue, names.insert(name).inserted,
                name == "outputs/result" || name.hasPrefix("outputs/parameters/")
                    || name.hasPrefix("outputs/artifacts/"),
                let digest = entry["digest"]?.objectValue?.compactMapValues(\.stringValue), digest.count == 1,
                let algorithm = digest.keys.first, algorithm == "sha256" || algorithm == "dirHash",
                digest.values.allSatisfy({ (try? Digest(hex: $0)) != nil })
            else { throw .session(reason: "a subject of the outputs message is malformed") }
            subjects.append(Statement.Subject(name: name, digest: digest))
        }
        let outcome = json["outcome"]?.stringValue
        guard outcome == nil || outcome == "Failed" else { throw .session(reason: "the outcome is not Failed") }
        self.init(subjects: subjects, outcome: outcome)
    }
}
