import Foundation
import SluiceEngine
package import SluiceGovernance

/// Checks envelope files against Sluice's envelope specification (`docs/envelope-format.md`): what
/// `sluice conformance DIR` runs, so that a second implementation can be tested against the first.
///
/// Every rule that fails yields one ``Violation``; the rule ids (`E1`…, `S1`…, `P1`…) are the ones the document
/// numbers. Without trusted keys the signature itself cannot be checked (only its shape); with them, `E8` checks it.
package struct EnvelopeConformance: Sendable {
    /// One broken rule in one file.
    package struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// The file (and `:LINE` for `.jsonl` files), relative to the checked directory.
        package var file: String
        /// The rule id from the specification, e.g. `E4`.
        package var rule: String
        /// What is wrong, naming the field and the offending value.
        package var message: String

        /// `FILE: RULE: message`.
        package var description: String { "\(file): \(rule): \(message)" }
    }

    /// Keys for checking signatures (rule E8); nil skips that rule.
    package var trustedKeys: [PublicKey]?

    /// Creates a checker.
    package init(trustedKeys: [PublicKey]? = nil) {
        self.trustedKeys = trustedKeys
    }

    /// Checks every `*.intoto.json` file (one envelope) and `*.intoto.jsonl` file (one envelope per line) below
    /// `directory`, in path order; a bundle's submission attestations (`attestations/`,
    /// `external/<run-id>/submission.intoto.json`) and SLSA siblings (`*.slsa.intoto.json`), not lineage, are
    /// skipped.
    ///
    /// - Returns: the number of envelopes checked and every violation.
    /// - Throws: `ExportError.directoryUnreadable` when the directory cannot be listed or holds a link.
    package func check(directory: String) throws(ExportError) -> (envelopes: Int, violations: [Violation]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .directoryUnreadable(path: directory, reason: "it is not a directory")
        }
        let paths: [String]
        do {
            paths = try BundleFiles(root: directory).relativePaths()
        } catch {
            throw .directoryUnreadable(path: directory, reason: error.description)
        }
        var count = 0
        var violations: [Violation] = []
        for path in paths {
            guard path.hasSuffix(".intoto.json") || path.hasSuffix(".intoto.jsonl"),
                !path.hasPrefix(BundleLayout.attestations + "/"), !path.hasSuffix(BundleLayout.provenanceSuffix),
                !(path.hasPrefix(BundleLayout.external + "/")
                    && path.hasSuffix("/" + BundleLayout.externalSubmission))
            else { continue }
            guard let data = FileManager.default.contents(atPath: directory + "/" + path) else {
                violations.append(Violation(file: path, rule: "E1", message: "the file cannot be read"))
                continue
            }
            let bytes = [UInt8](data)
            if path.hasSuffix(".jsonl") {
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                for (index, line) in lines.enumerated() where !(line.isEmpty && index == lines.count - 1) {
                    count += 1
                    violations += check(envelope: Array(line), file: "\(path):\(index + 1)")
                }
            } else {
                count += 1
                violations += check(envelope: bytes, file: path)
            }
        }
        return (count, violations)
    }

    /// Checks one envelope's bytes; `file` names it in the violations.
    package func check(envelope bytes: [UInt8], file: String) -> [Violation] {
        var violations: [Violation] = []
        func violation(_ rule: String, _ message: String) {
            violations.append(Violation(file: file, rule: rule, message: message))
        }
        var trimmed = bytes
        if trimmed.last == UInt8(ascii: "\n") { trimmed.removeLast() }

        // E1–E7: the DSSE envelope.
        let json: CanonicalJSON
        do {
            json = try CanonicalJSON(parsing: trimmed)
        } catch {
            violation("E1", "the envelope is not strict JSON: \(error.description)")
            return violations
        }
        guard let members = json.objectValue else {
            violation("E1", "the envelope is not a JSON object")
            return violations
        }
        for key in members.keys.sorted() where !["payload", "payloadType", "signatures"].contains(key) {
            violation("E2", "unknown top-level field '\(key)' (allowed: payload, payloadType, signatures)")
        }
        let payloadType = members["payloadType"]?.stringValue
        if payloadType != Envelope.inTotoPayloadType {
            violation(
                "E3",
                "payloadType is \(payloadType.map { "'\($0)'" } ?? "missing"), "
                    + "not '\(Envelope.inTotoPayloadType)'")
        }
        var payload: [UInt8]?
        if let text = members["payload"]?.stringValue {
            payload = Self.standardBase64(text)
            if payload == nil { violation("E4", "payload is not standard padded base64") }
        } else {
            violation("E4", "payload is missing or not a string")
        }
        var signatures: [(keyID: String, sig: [UInt8])] = []
        if let entries = members["signatures"]?.arrayValue {
            if entries.count != 1 {
                violation("E5", "signatures holds \(entries.count) entries; Sluice envelopes carry exactly one")
            }
            for (index, entry) in entries.enumerated() {
                let keyID = entry["keyid"]?.stringValue
                if keyID == nil || !Self.isHex64(keyID ?? "") {
                    violation(
                        "E6",
                        "signatures[\(index)].keyid is \(keyID.map { "'\($0)'" } ?? "missing"), "
                            + "not an in-toto keyid (64 lowercase hex characters)")
                }
                guard let sigText = entry["sig"]?.stringValue, let sig = Self.standardBase64(sigText) else {
                    violation("E7", "signatures[\(index)].sig is missing or not standard padded base64")
                    continue
                }
                if sig.count != 64 {
                    violation("E7", "signatures[\(index)].sig has \(sig.count) bytes, not 64 (Ed25519)")
                }
                signatures.append((keyID ?? "", sig))
            }
        } else {
            violation("E5", "signatures is missing or not an array")
        }
        if violations.isEmpty, let envelope = try? Envelope(jsonBytes: trimmed), envelope.jsonBytes() != trimmed {
            violation("E9", "the envelope is not serialized as canonical JSON (sorted keys, no whitespace)")
        }
        if let trustedKeys, let payload, let payloadType {
            let message = Envelope.pae(payloadType: payloadType, payload: payload)
            let valid = signatures.contains { signature in
                trustedKeys.contains { $0.isValidSignature(signature.sig, for: message) && $0.keyID == signature.keyID }
            }
            if !valid {
                violation("E8", "no signature verifies over the PAE with a trusted key whose keyid it names")
            }
        }
        guard let payload else { return violations }

        // S1–S5: the in-toto Statement.
        let statementJSON: CanonicalJSON
        do {
            statementJSON = try CanonicalJSON(parsing: payload)
        } catch {
            violation("S1", "the payload is not strict JSON: \(error.description)")
            return violations
        }
        if statementJSON.bytes != payload {
            violation("S1", "the payload is not canonical JSON (RFC 8785, integers only)")
        }
        if statementJSON["_type"]?.stringValue != Statement.type {
            violation(
                "S2",
                "_type is \(statementJSON["_type"]?.stringValue.map { "'\($0)'" } ?? "missing"), "
                    + "not '\(Statement.type)'")
        }
        let subjects = statementJSON["subject"]?.arrayValue ?? []
        if subjects.isEmpty { violation("S3", "subject is missing, empty or not an array") }
        var names = Set<String>()
        for (index, subject) in subjects.enumerated() {
            guard let name = subject["name"]?.stringValue, !name.isEmpty else {
                violation("S3", "subject[\(index)].name is missing or empty")
                continue
            }
            if !names.insert(name).inserted { violation("S3", "subject name '\(name)' appears more than once") }
            let isOutput =
                name.hasPrefix("outputs/artifacts/") || name.hasPrefix("outputs/parameters/")
                || name == "outputs/result"
            if !isOutput {
                violation(
                    "S4",
                    "subject[\(index)].name '\(name)' is not outputs/artifacts/NAME, "
                        + "outputs/parameters/NAME or outputs/result")
            }
            let digest = subject["digest"]?.objectValue ?? [:]
            if digest.isEmpty { violation("S5", "subject[\(index)].digest is missing or empty") }
            for (algorithm, value) in digest.sorted(by: { $0.key < $1.key }) {
                guard algorithm == "sha256" || algorithm == "dirHash" else {
                    violation("S5", "subject[\(index)].digest.\(algorithm) is not sha256 or dirHash")
                    continue
                }
                if !Self.isHex64(value.stringValue ?? "") {
                    violation("S5", "subject[\(index)].digest.\(algorithm) is not 64 lowercase hex characters")
                }
            }
        }
        let predicateType = statementJSON["predicateType"]?.stringValue
        guard predicateType == LineagePredicate.type else {
            violation(
                "S6",
                "predicateType is \(predicateType.map { "'\($0)'" } ?? "missing"), "
                    + "not '\(LineagePredicate.type)'")
            return violations
        }

        // P1–P6: the lineage predicate.
        let predicate: LineagePredicate
        do {
            predicate = try LineagePredicate(json: statementJSON["predicate"] ?? .null)
        } catch {
            if case .malformedPredicate(let field, let reason) = error {
                violation("P1", "predicate.\(field) \(reason)")
            } else {
                violation("P1", error.description)
            }
            return violations
        }
        if predicate.node.attempt < 1 {
            violation("P2", "predicate.node.attempt is \(predicate.node.attempt), not ≥ 1")
        }
        if predicate.timing.startedOn > predicate.timing.finishedOn {
            violation("P3", "predicate.timing.startedOn is after finishedOn")
        }
        if let first = signatures.first, predicate.producer.signer.keyID != first.keyID {
            violation(
                "P4",
                "predicate.producer.signer.keyid '\(predicate.producer.signer.keyID)' differs from "
                    + "signatures[0].keyid '\(first.keyID)'")
        }
        for (index, input) in predicate.inputs.enumerated() {
            if input.producerNode != nil && (input.subjectName == nil || input.envelopePayloadDigest == nil) {
                violation(
                    "P5",
                    "predicate.inputs[\(index)] names a producerNode but lacks subjectName or "
                        + "envelopePayloadDigest")
            }
            if let origin = input.origin, input.producerNode != nil || origin.uri.isEmpty {
                violation(
                    "P5",
                    "predicate.inputs[\(index)] has an origin but "
                        + (origin.uri.isEmpty ? "its uri is empty" : "also names a producerNode"))
            }
            if input.digest.isEmpty || !input.digest.values.allSatisfy(Self.isHex64) {
                violation("P5", "predicate.inputs[\(index)].digest is empty or not 64 lowercase hex characters")
            }
        }
        if let root = predicate.trustSlope.first, let last = predicate.trustSlope.last {
            if predicate.trustSlope.count < 2 || root.role != "submit" || last.role != "sign" {
                violation(
                    "P6",
                    "predicate.trustSlope must run from a 'submit' hop to a 'sign' hop (roles: "
                        + predicate.trustSlope.map(\.role).joined(separator: ", ") + ")")
            }
            if last.keyID != predicate.producer.signer.keyID {
                violation(
                    "P6",
                    "predicate.trustSlope ends at key \(last.keyID), not the signer "
                        + predicate.producer.signer.keyID)
            }
        } else {
            violation("P6", "predicate.trustSlope is empty")
        }
        return violations
    }

    private static func isHex64(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Decodes standard, padded base64 and refuses any other spelling of the same bytes.
    private static func standardBase64(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else { return nil }
        return [UInt8](data)
    }
}
