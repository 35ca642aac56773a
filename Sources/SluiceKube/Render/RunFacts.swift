package import SluiceGovernance

/// What every pod of a rendered run must know about the run: its identity, what was submitted, and the trust
/// slope its envelopes carry.
///
/// Rendered into the signer's arguments (canonical JSON), so that the signer, not the user's container, fills in
/// the identity fields of every envelope; the signer hands them to the wrapper when its session opens, for the gate.
package struct RunFacts: Sendable, Equatable {
    package var runID: String
    package var workflowName: String
    /// SHA-256 of the canonical JSON of the submitted Workflow document (as `sluice run` digests it).
    package var workflowDigest: Digest
    /// The governance section as canonical JSON (`null` when the workflow has none).
    package var governance: CanonicalJSON
    package var governanceDigest: Digest
    package var constraintsDigest: Digest
    /// The resolved workflow arguments.
    package var parameters: [String: String]
    /// The signed submission attestation: the root of every trust slope.
    package var submission: Envelope
    /// The key that signed it (the implicit authority `run-key` when the governance lists none).
    package var submitterKey: PublicKey
    /// The slope every envelope of the run carries, root first, ending at the lineage key.
    package var trustSlope: [LineagePredicate.TrustHop]
    /// The workflow's entrypoint and, per steps or DAG template, the template each task or step calls: what the
    /// signer needs to state the steps and DAG calls a node runs under (`node.within`) from its node name.
    package var entrypoint: String?
    package var calls: [String: [String: String]] = [:]

    package init(
        runID: String, workflowName: String, workflowDigest: Digest, governance: CanonicalJSON,
        governanceDigest: Digest, constraintsDigest: Digest, parameters: [String: String],
        submission: Envelope, submitterKey: PublicKey, trustSlope: [LineagePredicate.TrustHop]
    ) {
        self.submitterKey = submitterKey
        self.runID = runID
        self.workflowName = workflowName
        self.workflowDigest = workflowDigest
        self.governance = governance
        self.governanceDigest = governanceDigest
        self.constraintsDigest = constraintsDigest
        self.parameters = parameters
        self.submission = submission
        self.trustSlope = trustSlope
    }

    /// The canonical JSON form.
    package var json: CanonicalJSON {
        let submissionJSON = (try? CanonicalJSON(parsing: submission.jsonBytes())) ?? .null
        let object: CanonicalJSON = [
            "runId": .string(runID),
            "workflowName": .string(workflowName),
            "workflowDigest": .string(workflowDigest.description),
            "governance": governance,
            "governanceDigest": .string(governanceDigest.description),
            "constraintsDigest": .string(constraintsDigest.description),
            "parameters": .object(parameters.mapValues { .string($0) }),
            "submission": submissionJSON,
            "submitterKey": .string(submitterKey.hex),
            "trustSlope": .array(
                trustSlope.map { hop in
                    [
                        "authority": .string(hop.authority), "keyid": .string(hop.keyID), "role": .string(hop.role),
                        "attestation": .string(hop.attestation.description),
                    ]
                }),
        ]
        return object.adding(entrypoint: entrypoint, calls: calls)
    }

    /// Reads the canonical JSON form back.
    ///
    /// - Throws: ``KubeError/badOption(option:reason:)`` naming the first member missing or malformed.
    package init(json: CanonicalJSON) throws(KubeError) {
        func string(_ key: String) throws(KubeError) -> String {
            guard let value = json[key]?.stringValue else {
                throw .badOption(option: "run facts", reason: "'\(key)' is missing")
            }
            return value
        }
        func digest(_ text: String, _ key: String) throws(KubeError) -> Digest {
            guard text.hasPrefix("sha256:"), let digest = try? Digest(hex: String(text.dropFirst(7))) else {
                throw .badOption(option: "run facts", reason: "'\(key)' is not sha256:<hex>")
            }
            return digest
        }
        guard let submissionJSON = json["submission"], !submissionJSON.isNull,
            let submission = try? Envelope(jsonBytes: submissionJSON.bytes)
        else { throw .badOption(option: "run facts", reason: "'submission' is not a DSSE envelope") }
        var hops: [LineagePredicate.TrustHop] = []
        for hop in json["trustSlope"]?.arrayValue ?? [] {
            guard let authority = hop["authority"]?.stringValue, let keyID = hop["keyid"]?.stringValue,
                let role = hop["role"]?.stringValue, let attestation = hop["attestation"]?.stringValue
            else { throw .badOption(option: "run facts", reason: "a trustSlope hop is malformed") }
            hops.append(
                .init(
                    authority: authority, keyID: keyID, role: role,
                    attestation: try digest(attestation, "trustSlope.attestation")))
        }
        guard let keyHex = json["submitterKey"]?.stringValue, let submitterKey = try? PublicKey(hex: keyHex) else {
            throw .badOption(option: "run facts", reason: "'submitterKey' is not a public key")
        }
        guard hops.count >= 2 else {
            throw .badOption(option: "run facts", reason: "'trustSlope' has fewer than 2 hops")
        }
        var parameters: [String: String] = [:]
        for (name, value) in json["parameters"]?.objectValue ?? [:] {
            guard let text = value.stringValue else {
                throw .badOption(option: "run facts", reason: "parameter '\(name)' is not a string")
            }
            parameters[name] = text
        }
        var calls: [String: [String: String]] = [:]
        for (template, tasks) in json["calls"]?.objectValue ?? [:] {
            calls[template] = (tasks.objectValue ?? [:]).compactMapValues(\.stringValue)
        }
        self.init(
            runID: try string("runId"), workflowName: try string("workflowName"),
            workflowDigest: try digest(try string("workflowDigest"), "workflowDigest"),
            governance: json["governance"] ?? .null,
            governanceDigest: try digest(try string("governanceDigest"), "governanceDigest"),
            constraintsDigest: try digest(try string("constraintsDigest"), "constraintsDigest"),
            parameters: parameters, submission: submission, submitterKey: submitterKey, trustSlope: hops)
        entrypoint = json["entrypoint"]?.stringValue
        self.calls = calls
    }

    /// The steps and DAG calls node `name` runs under, innermost first (`node.within`, as the local engine
    /// records it): each enclosing template and the task or step that called it, the workflow's name for the
    /// entrypoint. Empty when the facts carry no call table or the name does not follow it.
    package func within(nodeName name: String) -> [LineagePredicate.Node.Call] {
        guard let entrypoint, name.hasPrefix(workflowName + ".") || name.hasPrefix(workflowName + "[") else {
            return []
        }
        // Tasks and steps from the root down: `wf.a.b` -> [a, b]; `wf[0].a[1].b` -> [a, b]; loop suffixes dropped.
        var tasks: [String] = []
        var current = ""
        var depth = 0
        for character in name.dropFirst(workflowName.count) {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "[" where depth == 0: depth += 1
            case "]" where depth == 1: depth -= 1
            case "." where depth == 0:
                if !current.isEmpty { tasks.append(current) }
                current = ""
            default: if depth == 0 { current.append(character) }
            }
        }
        if !current.isEmpty { tasks.append(current) }
        var calls = [LineagePredicate.Node.Call(template: entrypoint, task: workflowName)]
        var template = entrypoint
        for task in tasks.dropLast() {
            guard let callee = self.calls[template]?[task] else { return [] }
            calls.append(.init(template: callee, task: task))
            template = callee
        }
        return calls.reversed()
    }
}

extension CanonicalJSON {
    /// The run facts' object with the call table added when there is one (absent for older renderings).
    fileprivate func adding(entrypoint: String?, calls: [String: [String: String]]) -> CanonicalJSON {
        guard var object = objectValue, let entrypoint else { return self }
        object["entrypoint"] = .string(entrypoint)
        object["calls"] = .object(calls.mapValues { .object($0.mapValues { .string($0) }) })
        return .object(object)
    }
}
