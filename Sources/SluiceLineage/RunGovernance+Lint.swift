import SluiceExpressions
import SluiceGovernance
import SluicePlan
package import SluiceSpec

extension RunGovernance {
    /// Every problem `sluice lint` reports about a workflow's governance, as `file:line:column: error: message`:
    /// an invalid document, `require` expressions that do not parse, constraints scoped to templates, tasks or steps
    /// the workflow does not define (a constraint that would silently govern nothing), and, unless
    /// `includingDelegations` is false, delegations whose attestation does not prove them.
    ///
    /// `sluice run` refuses a workflow with any of these but the broken delegations, which admit no key: the trust
    /// chain refuses each use of one, naming why.
    package static func problems(of workflow: WorkflowDocument, includingDelegations: Bool = true) -> [String] {
        let tree: YAMLValue
        do {
            guard let found = try workflow.governanceTree() else { return [] }
            tree = found
        } catch {
            return [error.description]
        }
        let document: GovernanceDocument
        do {
            document = try GovernanceDocument(json: tree.isNull ? .null : tree.canonicalJSON)
        } catch {
            var at = tree.location
            if case .malformedGovernance(let field, _) = error { at = locate(field, in: tree) }
            return ["\(at): error: \(error.description)"]
        }
        var problems: [String] = []
        let templates = workflow.workflow.spec.templates
        let defined = Set(templates.map(\.name))
        let callers = Set(
            templates.flatMap { template in
                (template.dag?.tasks.map(\.name) ?? []) + (template.steps ?? []).flatMap { $0.map(\.name) }
            })
        let constraintTrees = tree["constraints"]?.elements ?? []
        for (index, constraint) in document.constraints.enumerated() {
            let node = index < constraintTrees.count ? constraintTrees[index] : tree
            if let source = constraint.require {
                do {
                    _ = try ExprProgram(parsing: source)
                } catch {
                    let at = node["require"]?.location ?? node.location
                    problems.append(
                        "\(at): error: constraint '\(constraint.name)': require is not a valid "
                            + "expression: \(error)")
                }
            }
            problems += unknownParameters(of: constraint, in: workflow.workflow.spec, at: node)
            // A `WorkflowTemplate/DOCUMENT/NAME` identity resolves in the run's template library, not here.
            for template in constraint.appliesTo.templates where !defined.contains(template) && !template.contains("/")
            {
                let at = node["appliesTo"]?.location ?? node.location
                problems.append(
                    "\(at): error: constraint '\(constraint.name)' applies to template '\(template)', "
                        + "which the workflow does not define")
            }
            for task in constraint.appliesTo.tasks where !callers.contains(task) {
                let at = node["appliesTo"]?.location ?? node.location
                problems.append(
                    "\(at): error: constraint '\(constraint.name)' applies to task '\(task)', "
                        + "which no steps or DAG template of the workflow calls")
            }
        }
        guard includingDelegations else { return problems }
        // Delegation proofs do not depend on the run's key: any key stands in for the implicit authority.
        let chain = TrustChain(
            governance: document, runKey: document.authorities.first?.key ?? SigningKey.generate().publicKey)
        let delegationTrees = tree["delegations"]?.elements ?? []
        for (delegation, error) in chain.broken {
            let index = document.delegations.firstIndex(of: delegation) ?? 0
            let at = index < delegationTrees.count ? delegationTrees[index].location : tree.location
            problems.append("\(at): error: \(error.description)")
        }
        return problems
    }

    /// `inputs.fromParameters` entries that name nothing: a workflow argument the spec does not declare, or a
    /// `NODE.PARAMETER` whose step or task no template calls, or whose parameter no template outputs.
    static func unknownParameters(
        of constraint: GovernanceDocument.Constraint, in spec: WorkflowSpec, at node: YAMLValue
    ) -> [String] {
        guard let names = constraint.inputs?.fromParameters, !names.isEmpty else { return [] }
        let arguments = Set((spec.arguments?.parameters ?? []).map(\.name))
        var calls: Set<String> = []
        var outputs: Set<String> = []
        for template in spec.templates {
            for step in (template.steps ?? []).joined() { calls.insert(step.name) }
            for task in template.dag?.tasks ?? [] { calls.insert(task.name) }
            for parameter in template.outputs?.parameters ?? [] { outputs.insert(parameter.name) }
        }
        let entries = node["inputs"]?["fromParameters"]?.elements ?? []
        var problems: [String] = []
        for (index, name) in names.enumerated() {
            let at = index < entries.count ? entries[index].location : (node["inputs"] ?? node).location
            if let dot = name.lastIndex(of: ".") {
                let call = String(name[..<dot])
                let parameter = String(name[name.index(after: dot)...])
                if !calls.contains(call) || !outputs.contains(parameter) {
                    problems.append(
                        "\(at): error: constraint '\(constraint.name)': inputs.fromParameters names "
                            + "'\(name)', but no step or task '\(call)' has an output parameter '\(parameter)'")
                }
            } else if !arguments.contains(name) {
                problems.append(
                    "\(at): error: constraint '\(constraint.name)': inputs.fromParameters names "
                        + "'\(name)', which is not a parameter in spec.arguments")
            }
        }
        return problems
    }

    /// The position of the deepest node of `tree` that a dotted field path (`constraints[1].name`) reaches.
    static func locate(_ field: String, in tree: YAMLValue) -> SourceLocation {
        var node = tree
        for part in field.split(separator: ".") {
            var name = Substring(part)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"),
                let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
            {
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            guard let child = node[String(name)] else { return node.location }
            node = child
            for index in indexes {
                let elements = node.elements
                guard index < elements.count else { return node.location }
                node = elements[index]
            }
        }
        return node.location
    }
}
