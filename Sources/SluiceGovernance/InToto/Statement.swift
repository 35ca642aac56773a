/// An in-toto Statement v1: which subjects (by digest) a predicate speaks about.
///
/// ``payloadBytes()`` is canonical JSON, so the same statement always yields the same signed bytes.
package struct Statement: Sendable, Equatable {
    /// The `_type` of every Statement v1.
    package static let type = "https://in-toto.io/Statement/v1"

    /// One subject: a name (`outputs/artifacts/<name>`, `outputs/parameters/<name>`) and its digest set.
    package struct Subject: Sendable, Equatable {
        /// The subject's name, unique within a Sluice statement.
        package var name: String
        /// Algorithm → lowercase hex, e.g. `["sha256": "…"]`; directories use `"dirHash"`.
        package var digest: [String: String]

        /// Creates a subject from a name and a digest set.
        package init(name: String, digest: [String: String]) {
            self.name = name
            self.digest = digest
        }

        /// A subject whose digest set is `{"sha256": digest.hex}`.
        package init(name: String, sha256 digest: Digest) {
            self.init(name: name, digest: digest.digestSet)
        }
    }

    /// What the statement is about; never empty in a valid statement.
    package var subjects: [Subject]
    /// The TypeURI of ``predicate``.
    package var predicateType: String
    /// The predicate body (an object for Sluice's lineage predicate).
    package var predicate: CanonicalJSON

    /// Creates a statement.
    package init(subjects: [Subject], predicateType: String, predicate: CanonicalJSON) {
        self.subjects = subjects
        self.predicateType = predicateType
        self.predicate = predicate
    }

    /// The statement as JSON.
    package var json: CanonicalJSON {
        [
            "_type": .string(Self.type),
            "subject": .array(
                subjects.map { subject in
                    [
                        "name": .string(subject.name),
                        "digest": .object(subject.digest.mapValues { .string($0) }),
                    ]
                }
            ),
            "predicateType": .string(predicateType),
            "predicate": predicate,
        ]
    }

    /// Canonical JSON of `{"_type","subject","predicateType","predicate"}`: the DSSE payload.
    package func payloadBytes() -> [UInt8] { json.bytes }

    /// Parses a statement strictly from payload bytes that were already verified.
    ///
    /// Unknown fields are ignored; a missing `predicate` reads as an empty object.
    /// - Throws: `GovernanceError.malformedStatement` (JSON or structure), `.statementTypeMismatch` when `_type`
    ///   is not Statement v1.
    package init(payloadBytes: [UInt8]) throws(GovernanceError) {
        let json: CanonicalJSON
        do {
            json = try CanonicalJSON(parsing: payloadBytes)
        } catch {
            throw .malformedStatement(reason: error.description)
        }
        guard json.objectValue != nil else { throw .malformedStatement(reason: "the top level is not an object") }
        guard let type = json["_type"]?.stringValue else {
            throw .malformedStatement(reason: "'_type' is missing or not a string")
        }
        guard type == Self.type else { throw .statementTypeMismatch(expected: Self.type, actual: type) }
        guard let entries = json["subject"]?.arrayValue, !entries.isEmpty else {
            throw .malformedStatement(reason: "'subject' is missing, empty, or not an array")
        }
        var subjects: [Subject] = []
        for (index, entry) in entries.enumerated() {
            guard let name = entry["name"]?.stringValue else {
                throw .malformedStatement(reason: "subject[\(index)].name is missing or not a string")
            }
            guard let digestObject = entry["digest"]?.objectValue, !digestObject.isEmpty else {
                throw .malformedStatement(reason: "subject[\(index)].digest is missing, empty, or not an object")
            }
            var digest: [String: String] = [:]
            for (algorithm, value) in digestObject {
                guard let hex = value.stringValue else {
                    throw .malformedStatement(reason: "subject[\(index)].digest.\(algorithm) is not a string")
                }
                digest[algorithm] = hex
            }
            subjects.append(Subject(name: name, digest: digest))
        }
        guard let predicateType = json["predicateType"]?.stringValue else {
            throw .malformedStatement(reason: "'predicateType' is missing or not a string")
        }
        self.init(subjects: subjects, predicateType: predicateType, predicate: json["predicate"] ?? .object([:]))
    }
}

// MARK: - Signing

extension Statement {
    /// This statement's ``payloadBytes()`` in an envelope of type ``Envelope/inTotoPayloadType`` signed by `key`.
    package func signed(with key: SigningKey) -> Envelope {
        Envelope.sign(payload: payloadBytes(), payloadType: Envelope.inTotoPayloadType, with: key)
    }
}
