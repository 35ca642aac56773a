import Foundation
package import SluiceExpressions

/// A workflow's constraints, compiled once and evaluated over verified lineage: by the input gate before a node
/// runs, and by the offline bundle verifier over what each recorded envelope says it consumed.
///
/// Per input (`inputs.fromTemplates`, `inputs.signedBy`, `isolation` with `inputs`, `maxChainDepth`) the facts are
/// the upstream envelope's verified predicate; per node (`images`, `isolation`, `require`) they are the node, the facts of all its inputs (see
/// ``inputFacts(_:name:kind:digest:keyID:)``) and the workflow (see ``workflowFacts(name:uid:parameters:governance:submitter:)``).
package struct ConstraintEvaluator: Sendable {
    /// A constraint that does not hold: the check's name (`constraint 'NAME'`) and why.
    package struct Violation: Sendable, Equatable {
        package var check: String
        package var reason: String
    }

    package let governance: GovernanceDocument
    private let programs: [String: Result<ExprProgram, ExpressionError>]

    /// Compiles the `require` expressions of `governance`'s constraints (a compile error fails the constraint
    /// when it is evaluated, naming the expression).
    package init(governance: GovernanceDocument) {
        self.governance = governance
        var programs: [String: Result<ExprProgram, ExpressionError>] = [:]
        for constraint in governance.constraints {
            guard let source = constraint.require else { continue }
            do {
                programs[constraint.name] = .success(try ExprProgram(parsing: source))
            } catch {
                programs[constraint.name] = .failure(error)
            }
        }
        self.programs = programs
    }

    // MARK: - Inputs

    /// The first of `constraints` an input breaks, given its producer's verified lineage predicate.
    package static func inputViolation(of constraints: [GovernanceDocument.Constraint], by input: LineagePredicate)
        -> Violation?
    {
        for constraint in constraints {
            let check = "constraint '\(constraint.name)'"
            if let rule = constraint.inputs {
                let template = input.node.templateName
                if !rule.fromTemplates.isEmpty && !rule.fromTemplates.contains(where: { Self.names($0, input.node) }) {
                    return Violation(
                        check: check,
                        reason: "it comes from template '\(template)', not one of "
                            + rule.fromTemplates.joined(separator: ", "))
                }
                let signer = input.trustSlope.last?.authority ?? "?"
                if !rule.signedBy.isEmpty && !rule.signedBy.contains(signer) {
                    return Violation(
                        check: check,
                        reason: "it is signed by '\(signer)', not one of " + rule.signedBy.joined(separator: ", "))
                }
            }
            if let rule = constraint.isolation, rule.inputs, let reason = Self.isolationProblem(rule, producer: input) {
                return Violation(check: check, reason: reason)
            }
            if let maximum = constraint.maxChainDepth, input.chainDepth + 1 > maximum {
                return Violation(
                    check: check,
                    reason: "it has \(input.chainDepth) producer(s) behind it, so this node's chain "
                        + "would be \(input.chainDepth + 1) deep; the maximum is \(maximum)")
            }
        }
        return nil
    }

    /// The first of `constraints` a value that no node signed breaks: an `inputs` rule admits a literal of the
    /// submitted workflow, and an argument, resume value or default only when its `fromParameters` names it.
    package static func unsignedViolation(of constraints: [GovernanceDocument.Constraint], by input: UnsignedInput)
        -> Violation?
    {
        guard input.source != UnsignedInput.literal else { return nil }
        for constraint in constraints {
            guard let rule = constraint.inputs else { continue }
            let name = input.sourceName ?? ""
            if rule.fromParameters.contains(name) { continue }
            let admitted =
                rule.fromParameters.isEmpty
                ? "the constraint admits no unsigned values (inputs.fromParameters)"
                : "not one of inputs.fromParameters: " + rule.fromParameters.joined(separator: ", ")
            return Violation(
                check: "constraint '\(constraint.name)'",
                reason: "\(input.sourceDescription), which no node signed; \(admitted)")
        }
        return nil
    }

    /// Whether a `fromTemplates` entry names the template a producer ran: its identity (the bare name only for the
    /// workflow's own templates, `WorkflowTemplate/DOCUMENT/NAME` for referenced ones), optionally pinned to its
    /// content as `IDENTITY@sha256:HEX`.
    static func names(_ entry: String, _ producer: LineagePredicate.Node) -> Bool {
        guard let at = entry.range(of: "@sha256:") else { return entry == producer.templateName }
        return entry[..<at.lowerBound] == producer.templateName
            && producer.templateDigest?.hex == String(entry[at.upperBound...])
    }

    // MARK: - The node itself

    /// The first constraint governing `node` that its image or its `require` expression breaks.
    ///
    /// - Parameters:
    ///   - node: the node (its `image` is the reference it runs, nil for none).
    ///   - chainDepth: the node's own chain depth.
    ///   - inputs: the facts of every input, as the `inputs` variable.
    ///   - workflowFacts: the `workflow` variable.
    package func nodeViolation(
        _ node: GatedNode, chainDepth: Int, inputs: [ExpressionValue], workflowFacts: ExpressionValue
    ) -> Violation? {
        for constraint in governance.constraints(template: node.templateName, task: node.taskName, within: node.within)
        {
            let check = "constraint '\(constraint.name)'"
            if let rule = constraint.images, let reason = Self.imageProblem(rule, node: node) {
                return Violation(check: check, reason: reason)
            }
            if let rule = constraint.isolation, let reason = Self.isolationProblem(rule, node: node) {
                return Violation(check: check, reason: reason)
            }
            if let program = programs[constraint.name] {
                let scope = ExprScope(variables: [
                    "node": Self.nodeFacts(node, chainDepth: chainDepth),
                    "inputs": .list(inputs),
                    "workflow": workflowFacts,
                ])
                do {
                    guard try program.get().evaluateBool(scope) else {
                        return Violation(check: check, reason: "require \"\(constraint.require ?? "")\" is false")
                    }
                } catch {
                    return Violation(
                        check: check, reason: "require \"\(constraint.require ?? "")\" cannot be evaluated: \(error)")
                }
            }
        }
        return nil
    }

    /// Why a node breaks an image rule, or nil: every container that runs in its pod (main, init containers,
    /// sidecars, a containerSet's containers) must have an allowed image, pinned when the rule says so, and the node
    /// must run containers at all (under the process runtime an image is only a label for a host command) unless
    /// the rule says `processRuntime: allow`.
    static func imageProblem(_ rule: GovernanceDocument.ImageRule, node: GatedNode) -> String? {
        let main = LineagePredicate.Producer.Container(kind: .main, name: "", image: node.image)
        for container in [main] + node.otherContainers {
            let of = container.kind == .main ? "" : " of \(container.kind.rawValue) '\(container.name)'"
            guard let image = container.image else {
                return "it runs no image\(of), and the constraint governs its images"
            }
            if !rule.allowed.isEmpty && !rule.allowed.contains(where: { glob($0, matches: image) }) {
                return "image '\(image)'\(of) is not allowed (allowed: " + rule.allowed.joined(separator: ", ") + ")"
            }
            if rule.pinned && !isPinned(image) {
                return "image '\(image)'\(of) is not pinned by digest (write it as name@sha256:<64 lowercase hex>)"
            }
        }
        if node.runtime == "process" && !rule.allowsProcessRuntime {
            return "it runs on the process runtime, where image '\(node.image ?? "")' is only a label for a host "
                + "command, not a container; the constraint governs images (run it on podman or docker, or state "
                + "processRuntime: allow in the rule)"
        }
        return nil
    }

    /// Why a node's own isolation breaks an isolation rule, or nil.
    static func isolationProblem(_ rule: GovernanceDocument.IsolationRule, node: GatedNode) -> String? {
        let allowed = rule.allowed.joined(separator: ", ")
        guard let isolation = node.isolation else {
            return "its isolation is not recorded; the constraint admits only \(allowed)"
        }
        guard !rule.allowed.contains(isolation) else { return nil }
        return "it runs under isolation '\(isolation)', not one of \(allowed)"
            + (isolation == "none" ? " (a node without isolation can read the signing key)" : "")
    }

    /// Why the producer of a signed input ran under an isolation the rule does not admit, or nil.
    static func isolationProblem(_ rule: GovernanceDocument.IsolationRule, producer input: LineagePredicate) -> String?
    {
        let allowed = rule.allowed.joined(separator: ", ")
        let producer = "its producer '\(input.node.displayName)'"
        guard let isolation = input.producer.isolation else {
            return "\(producer) does not record its isolation (signed before isolation was recorded); the constraint "
                + "admits only \(allowed)"
        }
        guard !rule.allowed.contains(isolation) else { return nil }
        return "\(producer) ran under isolation '\(isolation)', not one of \(allowed)"
            + (isolation == "none" ? " (a node without isolation can read the signing key)" : "")
    }

    /// Whether an image reference names a well-formed digest: `@sha256:` followed by exactly 64 lowercase hex
    /// characters, at the end (a container runtime's recorded image id after it is ignored by the caller).
    static func isPinned(_ image: String) -> Bool {
        guard let at = image.range(of: "@sha256:", options: .backwards) else { return false }
        let hex = image[at.upperBound...]
        return hex.count == 64 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    // MARK: - Facts for expressions

    /// The `node` variable.
    static func nodeFacts(_ node: GatedNode, chainDepth: Int) -> ExpressionValue {
        .map([
            "name": .string(node.displayName), "template": .string(node.templateName), "task": .string(node.taskName),
            "image": node.image.map(ExpressionValue.string) ?? .null, "runtime": .string(node.runtime),
            "isolation": node.isolation.map(ExpressionValue.string) ?? .null,
            "chainDepth": .number(Double(chainDepth)),
        ])
    }

    /// One element of the `inputs` variable for an input another node produced.
    ///
    /// - Parameters:
    ///   - predicate: the producer's verified lineage predicate.
    ///   - digest: the digest of the consumed bytes (hex).
    ///   - keyID: the keyid of the key whose signature on the producer's envelope verified.
    package static func inputFacts(
        _ predicate: LineagePredicate, name: String, kind: String, digest: String,
        keyID: String
    ) -> ExpressionValue {
        return .map([
            "name": .string(name), "kind": .string(kind), "external": .bool(false), "source": .string("output"),
            "sourceName": .string("\(predicate.node.displayName).\(name)"),
            "digest": .string(digest),
            "producer": producerFacts(predicate),
            "replayed": .bool(predicate.replayed != nil),
            "originVerified": .bool(predicate.replayed?.originVerified ?? true),
            "signer": .string(predicate.trustSlope.last?.authority ?? ""),
            "keyid": .string(keyID),
            "constraintsDigest": .string(predicate.governance.constraintsDigest.description),
            "chainDepth": .number(Double(predicate.chainDepth)),
            "trustSlope": .list(predicate.trustSlope.map { .string($0.authority) }),
        ])
    }

    /// The `producer` of an input another node produced: its node, template, runtime, isolation and image.
    static func producerFacts(_ predicate: LineagePredicate) -> ExpressionValue {
        let image = predicate.producer.image
        let imageDigest: ExpressionValue =
            image.flatMap { reference in
                reference.range(of: "@").map { ExpressionValue.string(String(reference[$0.upperBound...])) }
            } ?? .null
        let isolation: ExpressionValue = predicate.producer.isolation.map(ExpressionValue.string) ?? .null
        return .map([
            "node": .string(predicate.node.displayName), "template": .string(predicate.node.templateName),
            "runtime": .string(predicate.producer.runtime), "isolation": isolation,
            "image": image.map(ExpressionValue.string) ?? .null, "imageDigest": imageDigest,
        ])
    }

    /// One element of the `inputs` variable for an input no node produced (a `raw` or fetched artifact).
    ///
    /// `origin` is the lineage entry's: `{uri, commit}` for `http` and `git` artifacts (`commit` null for http),
    /// null otherwise; the gate and offline verification read it from the same place.
    package static func externalFacts(
        name: String, kind: String, digest: String, origin: LineagePredicate.Input.Origin?
    ) -> ExpressionValue {
        .map([
            "name": .string(name), "kind": .string(kind), "external": .bool(true), "digest": .string(digest),
            "source": .string(origin == nil ? UnsignedInput.literal : "fetched"), "sourceName": .null,
            "origin": origin.map { origin in
                .map(["uri": .string(origin.uri), "commit": origin.commit.map(ExpressionValue.string) ?? .null])
            } ?? .null,
            "producer": .null, "signer": .null, "chainDepth": .number(0),
        ])
    }

    /// One element of the `inputs` variable for a value no node signed (see ``UnsignedInput``): `.source` is
    /// `literal`, `argument`, `resume` or `default`, `.sourceName` the argument or `NODE.PARAMETER`.
    package static func unsignedFacts(_ input: UnsignedInput) -> ExpressionValue {
        .map([
            "name": .string(input.name), "kind": .string(input.kind.rawValue), "external": .bool(true),
            "digest": .string(input.digest), "source": .string(input.source),
            "sourceName": input.sourceName.map(ExpressionValue.string) ?? .null, "origin": .null,
            "producer": .null, "signer": .null, "chainDepth": .number(0),
        ])
    }

    /// The `workflow` variable.
    package static func workflowFacts(
        name: String, uid: String, parameters: [ParameterValue], governance: GovernanceDocument,
        submitter: String
    ) -> ExpressionValue {
        .map([
            "name": .string(name), "uid": .string(uid),
            "parameters": .map(
                Dictionary(
                    parameters.map { ($0.name, ExpressionValue.string($0.value)) },
                    uniquingKeysWith: { _, last in last })),
            "governanceDigest": .string(governance.digest.description),
            "constraintsDigest": .string(governance.constraintsDigest.description),
            "submitter": .string(submitter),
        ])
    }

    /// `*` matches any run of characters; everything else matches itself.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return pattern == text }
        guard text.hasPrefix(parts[0]) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        let last = parts[parts.count - 1]
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}
