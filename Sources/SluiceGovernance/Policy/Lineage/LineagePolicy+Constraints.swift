import Foundation
package import SluiceExpressions

/// The constraints part of the policy: `inputs` rules, `maxChainDepth`, `isolation`, `images` and `require`, decided
/// by ``ConstraintEvaluator`` over verified lineage, live (before a node runs) and over recorded lineage (offline).
extension LineagePolicy {
    /// The runtime a steps or DAG template's computed outputs record: no process ran, so constraints govern them
    /// where they are consumed, not where the engine signed them.
    package static let computedRuntime = "engine"

    /// The constraints that govern `node` (none when this policy does not enforce constraints).
    package func constraints(for node: GatedNode) -> [GovernanceDocument.Constraint] {
        enforcesConstraints
            ? governance.constraints(template: node.templateName, task: node.taskName, within: node.within) : []
    }

    // MARK: - Live

    /// The first of `constraints` a verified upstream input breaks, as a refusal naming its producer.
    package func inputRefusal(
        _ input: LineageVerifier.VerifiedInput, upstream: Upstream, into node: String,
        constraints: [GovernanceDocument.Constraint]
    ) -> Refusal? {
        ConstraintEvaluator.inputViolation(of: constraints, by: input.predicate).map {
            Refusal(
                node: node, input: upstream.input, check: $0.check,
                reason: "\($0.reason) (producer '\(upstream.producerName)')")
        }
    }

    /// The first of `constraints` a value no node signed breaks (an argument, resume value or default not named
    /// by `inputs.fromParameters`).
    package func unsignedRefusal(
        _ input: UnsignedInput, into node: String, constraints: [GovernanceDocument.Constraint]
    ) -> Refusal? {
        ConstraintEvaluator.unsignedViolation(of: constraints, by: input).map {
            Refusal(node: node, input: input.name, check: $0.check, reason: $0.reason)
        }
    }

    /// The node's own constraints once its images are known: images, isolation, `require` over all its inputs.
    ///
    /// - Parameters:
    ///   - chainDepth: the node's own chain depth (one more than its deepest input's).
    ///   - inputs: one fact per input, as the `inputs` variable of `require` sees it.
    package func nodeRefusal(_ node: GatedNode, chainDepth: Int, inputs: [ExpressionValue]) -> Refusal? {
        guard enforcesConstraints,
            let violation = evaluator.nodeViolation(
                node, chainDepth: chainDepth, inputs: inputs, workflowFacts: workflowFacts)
        else { return nil }
        return Refusal(
            node: node.displayName, input: Refusal.nodeLevel, check: violation.check,
            reason: violation.reason)
    }

    // MARK: - Recorded

    /// What offline verification found behind one recorded input's envelope.
    package enum RecordedProducer: Sendable {
        /// The envelope verified: what it says, the keyid that signed it, the file it was read from, and whether
        /// it is an earlier run's (an output this run reused, whose input constraints governed its own producer).
        case verified(predicate: LineagePredicate, keyID: String, file: String, isEarlierRun: Bool)
    }

    /// The check a recorded node's chain depth fails under (its reason reads on its own).
    package static let chainDepthCheck = "chain-depth"

    /// Everything a recorded node breaks of the constraints that govern it, over the lineage of the inputs it
    /// recorded: unsigned values, constraints digests and input rules per input, its chain depth against its
    /// inputs', and its own images, isolation and `require` (the gate judged the image reference; a container
    /// runtime records `REFERENCE@IMAGE-ID`, so the node's rules hold when they hold for either).
    ///
    /// - Parameters:
    ///   - predicate: the node's verified lineage predicate.
    ///   - producers: the verified envelopes by payload digest (hex); an input whose envelope is not there is left to
    ///     the chain check, and the node-level checks are skipped.
    ///   - evaluator: the run's constraints, compiled.
    ///   - parameters: the run's parameters, and `submitter` its submitter's name, for the `workflow` variable.
    /// - Returns: the refusals, and whether any constraint governs the node.
    package static func constraintRefusals(
        of predicate: LineagePredicate, producers: [String: RecordedProducer], evaluator: ConstraintEvaluator,
        parameters: [ParameterValue], submitter: String
    ) -> (refusals: [Refusal], governed: Bool) {
        let governance = evaluator.governance
        var node = GatedNode(
            displayName: predicate.node.displayName, templateName: predicate.node.templateName,
            image: predicate.producer.image, runtime: predicate.producer.runtime, within: predicate.node.within)
        node.otherContainers = predicate.producer.containers
        node.isolation = predicate.producer.isolation
        let computed = predicate.producer.runtime == computedRuntime
        let constraints =
            computed
            ? [] : governance.constraints(template: node.templateName, task: node.taskName, within: node.within)
        var refusals: [Refusal] = []
        func refuse(_ input: String, _ check: String, _ reason: String) {
            refusals.append(Refusal(node: predicate.node.id, input: input, check: check, reason: reason))
        }
        var facts: [ExpressionValue] = []
        var deepest = 0
        var reuses = false
        var complete = true
        for input in predicate.inputs {
            let digest = input.digest.sorted { $0.key < $1.key }.first?.value ?? ""
            if let unsigned = UnsignedInput(input) {
                if let violation = ConstraintEvaluator.unsignedViolation(of: constraints, by: unsigned) {
                    refuse(input.name, violation.check, violation.reason)
                }
                facts.append(ConstraintEvaluator.unsignedFacts(unsigned))
                continue
            }
            guard let upstreamDigest = input.envelopePayloadDigest else {
                facts.append(
                    ConstraintEvaluator.externalFacts(
                        name: input.name, kind: input.kind.rawValue, digest: digest, origin: input.origin))
                continue
            }
            guard case .verified(let producer, let keyID, let file, let isEarlierRun) = producers[upstreamDigest.hex]
            else {
                complete = false
                continue
            }
            deepest = max(deepest, producer.chainDepth)
            if !governance.accepts(constraintsDigest: producer.governance.constraintsDigest) {
                refuse(
                    input.name, "constraints-digest",
                    "\(file) was produced under constraints \(producer.governance.constraintsDigest), neither "
                        + "\(governance.constraintsDigest) nor one declared in compatibleConstraints")
            }
            // A reused output passes the gate without the input constraints, which governed its own producer.
            reuses = reuses || isEarlierRun
            if !isEarlierRun, let violation = ConstraintEvaluator.inputViolation(of: constraints, by: producer) {
                refuse(input.name, violation.check, "\(violation.reason) (producer '\(producer.node.displayName)')")
            }
            facts.append(
                ConstraintEvaluator.inputFacts(
                    producer, name: input.name, kind: input.kind.rawValue, digest: digest, keyID: keyID))
        }
        if complete && reuses && predicate.chainDepth != deepest {
            refuse(
                Refusal.nodeLevel, chainDepthCheck,
                "its chainDepth \(predicate.chainDepth) is not that of the earlier envelope whose outputs it reuses "
                    + "(\(deepest))")
        } else if complete && !reuses && predicate.chainDepth != deepest + 1 {
            refuse(
                Refusal.nodeLevel, chainDepthCheck,
                "its chainDepth \(predicate.chainDepth) is not one more than its deepest input's (\(deepest))")
        }
        if complete, !computed {
            let workflowFacts = ConstraintEvaluator.workflowFacts(
                name: predicate.workflow.name, uid: predicate.workflow.runID, parameters: parameters,
                governance: governance, submitter: submitter)
            if let violation = recordedNodeViolation(
                node, predicate: predicate, facts: facts, evaluator: evaluator, workflowFacts: workflowFacts)
            {
                refuse(Refusal.nodeLevel, violation.check, violation.reason)
            }
        }
        return (refusals, !constraints.isEmpty)
    }

    /// The node-level violation of a recorded node, judged on its recorded image and, for containers, on the
    /// reference without the runtime's image id.
    private static func recordedNodeViolation(
        _ node: GatedNode, predicate: LineagePredicate, facts: [ExpressionValue], evaluator: ConstraintEvaluator,
        workflowFacts: ExpressionValue
    ) -> ConstraintEvaluator.Violation? {
        let recorded = evaluator.nodeViolation(
            node, chainDepth: predicate.chainDepth, inputs: facts, workflowFacts: workflowFacts)
        guard let violation = recorded, predicate.producer.runtime != "process",
            let image = node.image, let at = image.range(of: "@", options: .backwards)
        else { return recorded }
        var reference = node
        reference.image = String(image[..<at.lowerBound])
        return evaluator.nodeViolation(
            reference, chainDepth: predicate.chainDepth, inputs: facts, workflowFacts: workflowFacts) == nil
            ? nil : violation
    }
}
