import SluiceExpressions

extension WorkflowDocument {
    /// Every semantic problem of this document: entrypoint, template and task references, duplicate names,
    /// dependency cycles, references to undeclared parameters, values past ``InputLimits/current``. Empty when the
    /// document is valid.
    ///
    /// - Parameter templates: templates from other documents that `templateRef`s may name (by WorkflowTemplate name).
    ///   When given, every `templateRef` must name a document and a template in it; when nil they go unchecked.
    package func validate(templates: TemplateLibrary? = nil) -> [SpecError] {
        var validator = WorkflowValidator(document: self)
        validator.library = templates
        validator.run()
        return validator.errors + limitProblems()
    }
}

/// The semantic checks of one document; collects every problem instead of stopping at the first.
private struct WorkflowValidator {
    let document: WorkflowDocument
    var errors: [SpecError] = []
    /// Template documents that `templateRef`s may name; nil when they are not known (no check).
    var library: TemplateLibrary?

    init(document: WorkflowDocument) { self.document = document }

    var spec: WorkflowSpec { document.workflow.spec }
    var tree: YAMLValue { document.tree }

    func location(_ path: SpecPath, key: Bool = false) -> SourceLocation {
        tree.location(of: path, preferKey: key)
    }

    mutating func run() {
        let specPath: SpecPath = "spec"
        errors.append(contentsOf: ObjectName.problems(document.workflow.metadata, tree: tree))
        let isWorkflow = document.workflow.kind == "Workflow"
        if let entrypoint = spec.entrypoint {
            if spec.template(named: entrypoint) == nil && spec.workflowTemplateRef == nil {
                errors.append(
                    .unknownTemplate(
                        name: entrypoint, at: location(specPath.key("entrypoint")),
                        path: specPath.key("entrypoint")))
            }
        } else if isWorkflow && spec.workflowTemplateRef == nil {
            errors.append(.missingEntrypoint(at: location(specPath, key: true)))
        }
        if let reference = spec.workflowTemplateRef, let library, library.document(for: reference) == nil {
            let namePath = specPath.key("workflowTemplateRef").key("name")
            errors.append(
                .invalidValue(
                    message:
                        "workflowTemplateRef names \(TemplateLibrary.describe(reference)), which is not known: give "
                        + "its file with --templates or register it with 'sluice template create'",
                    at: location(namePath), path: namePath))
        }
        if let onExit = spec.onExit, spec.template(named: onExit) == nil {
            errors.append(
                .unknownTemplate(
                    name: onExit, at: location(specPath.key("onExit")),
                    path: specPath.key("onExit")))
        }
        checkRuntimeAnnotation(document.workflow.metadata.annotations, at: "metadata.annotations")
        checkRuntimeAnnotation(spec.podMetadata?.annotations, at: specPath.key("podMetadata").key("annotations"))
        if isWorkflow && spec.templates.isEmpty && spec.workflowTemplateRef == nil {
            errors.append(.missingField(field: "templates", at: location(specPath, key: true), path: specPath))
        }

        var firstTemplate: [String: SourceLocation] = [:]
        for (index, template) in spec.templates.enumerated() {
            let path = specPath.key("templates").index(index)
            let namePath = path.key("name")
            if let first = firstTemplate[template.name] {
                errors.append(
                    .duplicateName(
                        kind: "template", name: template.name, at: location(namePath),
                        path: namePath, firstAt: first))
            } else {
                firstTemplate[template.name] = location(namePath)
            }
            check(template, at: path)
        }
        checkWorkflowParameterReferences()
    }

    // MARK: - Templates

    mutating func check(_ template: Template, at path: SpecPath) {
        let kinds = template.declaredKinds
        if kinds.isEmpty {
            errors.append(
                .invalidValue(
                    message: "template '\(template.name)' declares no work: give one of container, script, steps, dag, "
                        + "suspend",
                    at: location(path), path: path))
        } else if kinds.count > 1 {
            errors.append(
                .invalidValue(
                    message:
                        "template '\(template.name)' declares several kinds (\(kinds.map(\.rawValue).joined(separator: ", "))): "
                        + "a template does exactly one",
                    at: location(path), path: path))
        }
        checkRuntimeAnnotation(template.metadata?.annotations, at: path.key("metadata").key("annotations"))
        if let steps = template.steps { check(steps: steps, of: template, at: path.key("steps")) }
        if let dag = template.dag { check(dag: dag, of: template, at: path.key("dag")) }
        checkReferences(in: template, at: path)
        errors.append(contentsOf: DeclaredPaths.problems(in: template, at: path, tree: tree))
    }

    /// `sluice.dev/runtime` in `annotations` (found at `path`) must name a runtime.
    mutating func checkRuntimeAnnotation(_ annotations: [String: String]?, at path: SpecPath) {
        guard let value = annotations?[RuntimeAnnotation.key], !RuntimeAnnotation.values.contains(value) else { return }
        let valuePath = path.key(RuntimeAnnotation.key)
        errors.append(
            .invalidValue(
                message: "unknown runtime '\(value)' in annotation \(RuntimeAnnotation.key): use "
                    + RuntimeAnnotation.values.joined(separator: ", "),
                at: location(valuePath), path: valuePath))
    }

    mutating func checkCall(
        template name: String?, reference: TemplateReference?, arguments: StepArguments?,
        caller: String, at path: SpecPath, inline: Template? = nil
    ) {
        if let inline {
            if name != nil {
                errors.append(
                    .invalidValue(
                        message: "\(caller) gives both 'template' and 'inline': use one",
                        at: location(path), path: path))
            }
            check(inline, at: path.key("inline"))
            return
        }
        let callee: Template
        if let name {
            guard let local = spec.template(named: name) else {
                errors.append(
                    .unknownTemplate(
                        name: name, at: location(path.key("template")),
                        path: path.key("template")))
                return
            }
            callee = local
        } else if let reference, library != nil, !reference.name.contains("{{"),
            !(reference.template ?? "").contains("{{")
        {
            guard let referenced = checkReference(reference, at: path.key("templateRef")) else { return }
            callee = referenced
        } else {
            if reference == nil {
                errors.append(.missingField(field: "template", at: location(path), path: path))
            }
            return
        }
        let name = name ?? "\(reference?.name ?? "")/\(reference?.template ?? "")"
        let supplied = Set((arguments?.parameters ?? []).map(\.name))
        for input in callee.inputs?.parameters ?? []
        where input.value == nil && input.default == nil && !supplied.contains(input.name) {
            errors.append(
                .invalidValue(
                    message: "\(caller) calls template '\(name)' without its input parameter '\(input.name)' "
                        + "(it has no default)",
                    at: location(path), path: path))
        }
        let suppliedArtifacts = Set((arguments?.artifacts ?? []).map(\.name))
        for input in callee.inputs?.artifacts ?? []
        where input.from == nil && input.raw == nil && input.optional != true && input.http == nil
            && input.git == nil && input.fromExpression == nil && !suppliedArtifacts.contains(input.name)
        {
            errors.append(
                .invalidValue(
                    message: "\(caller) calls template '\(name)' without its input artifact '\(input.name)'",
                    at: location(path), path: path))
        }
    }

    /// The template a `templateRef` names in the known library, or nil after recording why it is unknown.
    mutating func checkReference(_ reference: TemplateReference, at path: SpecPath) -> Template? {
        guard let library else { return nil }
        guard let referenced = library.document(for: reference) else {
            var message =
                "templateRef names \(TemplateLibrary.describe(reference)), which is not known: give its "
                + "file with --templates or register it with 'sluice template create'"
            let other = TemplateReference(
                name: reference.name, template: nil,
                clusterScope: reference.clusterScope != true)
            if library.document(for: other) != nil {
                message +=
                    " (a \(TemplateLibrary.describe(other)) exists: "
                    + (reference.clusterScope == true ? "drop 'clusterScope: true'" : "set 'clusterScope: true'") + ")"
            }
            errors.append(.invalidValue(message: message, at: location(path.key("name")), path: path.key("name")))
            return nil
        }
        let name = reference.template ?? referenced.workflow.spec.entrypoint ?? ""
        guard let template = library.template(for: reference) else {
            let templatePath = reference.template == nil ? path : path.key("template")
            errors.append(
                .invalidValue(
                    message: "\(TemplateLibrary.describe(reference)) has no template '\(name)'",
                    at: location(templatePath), path: templatePath))
            return nil
        }
        return template
    }

    mutating func check(steps groups: [[WorkflowStep]], of template: Template, at path: SpecPath) {
        var firstStep: [String: SourceLocation] = [:]
        for (groupIndex, group) in groups.enumerated() {
            for (stepIndex, step) in group.enumerated() {
                let stepPath = path.index(groupIndex).index(stepIndex)
                let namePath = stepPath.key("name")
                if let first = firstStep[step.name] {
                    errors.append(
                        .duplicateName(
                            kind: "step", name: step.name, at: location(namePath),
                            path: namePath, firstAt: first))
                } else {
                    firstStep[step.name] = location(namePath)
                }
                checkCall(
                    template: step.template, reference: step.templateRef,
                    arguments: step.arguments, caller: "step '\(step.name)'", at: stepPath, inline: step.inline)
                if let onExit = step.onExit, spec.template(named: onExit) == nil {
                    errors.append(
                        .unknownTemplate(
                            name: onExit, at: location(stepPath.key("onExit")),
                            path: stepPath.key("onExit")))
                }
            }
        }
    }

    mutating func check(dag: DAGTemplate, of template: Template, at path: SpecPath) {
        var firstTask: [String: SourceLocation] = [:]
        for (index, task) in dag.tasks.enumerated() {
            let namePath = path.key("tasks").index(index).key("name")
            if let first = firstTask[task.name] {
                errors.append(
                    .duplicateName(
                        kind: "task", name: task.name, at: location(namePath), path: namePath,
                        firstAt: first))
            } else {
                firstTask[task.name] = location(namePath)
            }
        }
        var edges: [String: [String]] = [:]
        for (index, task) in dag.tasks.enumerated() {
            let taskPath = path.key("tasks").index(index)
            checkCall(
                template: task.template, reference: task.templateRef, arguments: task.arguments,
                caller: "task '\(task.name)'", at: taskPath, inline: task.inline)
            if task.depends != nil && task.dependencies != nil {
                errors.append(
                    .invalidValue(
                        message: "task '\(task.name)' sets both 'depends' and 'dependencies': use one",
                        at: location(taskPath.key("depends")), path: taskPath))
            }
            var dependencies: [(name: String, path: SpecPath)] = []
            for (depIndex, name) in (task.dependencies ?? []).enumerated() {
                dependencies.append((name, taskPath.key("dependencies").index(depIndex)))
            }
            if let depends = task.depends {
                let dependsPath = taskPath.key("depends")
                do {
                    let expression = try DependsExpression(parsing: depends)
                    dependencies += expression.taskNames.map { ($0, dependsPath) }
                } catch {
                    errors.append(
                        .badExpression(
                            expression: depends, reason: "\(error)",
                            at: location(dependsPath), path: dependsPath))
                }
            }
            for dependency in dependencies where firstTask[dependency.name] == nil {
                errors.append(
                    .unknownDependency(
                        task: task.name, dependency: dependency.name,
                        at: location(dependency.path), path: dependency.path))
            }
            edges[task.name] = dependencies.map(\.name).filter { firstTask[$0] != nil }
            if let onExit = task.onExit, spec.template(named: onExit) == nil {
                errors.append(
                    .unknownTemplate(
                        name: onExit, at: location(taskPath.key("onExit")),
                        path: taskPath.key("onExit")))
            }
        }
        if let target = dag.target, !target.contains("{{") {
            for name in target.split(whereSeparator: { $0 == " " || $0 == "," }) where firstTask[String(name)] == nil {
                errors.append(
                    .unknownDependency(
                        task: "target", dependency: String(name),
                        at: location(path.key("target")), path: path.key("target")))
            }
        }
        if let cycle = DependencyGraph(edges: edges, order: dag.tasks.map(\.name)).firstCycle() {
            let index = dag.tasks.firstIndex { $0.name == cycle[0] } ?? 0
            let cyclePath = path.key("tasks").index(index)
            errors.append(.dependencyCycle(cycle: cycle, at: location(cyclePath), path: cyclePath))
        }
    }

    // MARK: - References

    /// Checks `{{inputs.*}}`, `{{tasks.*}}`, `{{steps.*}}` references inside one template.
    mutating func checkReferences(in template: Template, at path: SpecPath) {
        guard let node = tree.value(at: path) else { return }
        let inputParameters = Set((template.inputs?.parameters ?? []).map(\.name))
        let inputArtifacts = Set((template.inputs?.artifacts ?? []).map(\.name))
        let outputParameters = Set((template.outputs?.parameters ?? []).map(\.name))
        let outputArtifacts = Set((template.outputs?.artifacts ?? []).map(\.name))
        let tasks = Set((template.dag?.tasks ?? []).map(\.name))
        let steps = Set((template.steps ?? []).flatMap { $0 }.map(\.name))
        let hasLoops =
            (template.dag?.tasks.contains {
                $0.withItems != nil || $0.withParam != nil
                    || $0.withSequence != nil
            } ?? false)
            || (template.steps?.joined().contains {
                $0.withItems != nil || $0.withParam != nil
                    || $0.withSequence != nil
            } ?? false)

        forEachScalar(in: node, at: path) { text, scalarPath, validator in
            for placeholder in Placeholder.all(in: text) where !placeholder.isExpression {
                let parts = placeholder.text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard let root = parts.first else { continue }
                var problem: String?
                switch root {
                case "inputs":
                    if parts.count >= 3, parts[1] == "parameters", !inputParameters.contains(parts[2]) {
                        problem = "template '\(template.name)' declares no input parameter '\(parts[2])'"
                    } else if parts.count >= 3, parts[1] == "artifacts", !inputArtifacts.contains(parts[2]) {
                        problem = "template '\(template.name)' declares no input artifact '\(parts[2])'"
                    }
                case "outputs":
                    if parts.count >= 3, parts[1] == "parameters", !outputParameters.contains(parts[2]) {
                        problem = "template '\(template.name)' declares no output parameter '\(parts[2])'"
                    } else if parts.count >= 3, parts[1] == "artifacts", !outputArtifacts.contains(parts[2]) {
                        problem = "template '\(template.name)' declares no output artifact '\(parts[2])'"
                    }
                case "tasks":
                    if parts.count >= 2, !tasks.contains(parts[1]) {
                        problem =
                            tasks.isEmpty
                            ? "'tasks.*' refers to DAG tasks, and template '\(template.name)' is not a DAG"
                            : "template '\(template.name)' has no task '\(parts[1])'"
                    } else if parts.count >= 5, parts[2] == "outputs", parts[3] == "parameters",
                        let callee = template.dag?.tasks.first(where: { $0.name == parts[1] })?.template,
                        let declared = validator.spec.template(named: callee),
                        !(declared.outputs?.parameters ?? []).contains(where: { $0.name == parts[4] })
                    {
                        problem = "template '\(callee)' (task '\(parts[1])') declares no output parameter '\(parts[4])'"
                    }
                case "steps":
                    if parts.count >= 2, !steps.contains(parts[1]) {
                        problem =
                            steps.isEmpty
                            ? "'steps.*' refers to steps, and template '\(template.name)' is not a steps template"
                            : "template '\(template.name)' has no step '\(parts[1])'"
                    }
                case "item":
                    if !hasLoops {
                        problem =
                            "'{{item}}' is only defined in a step or task with withItems, withParam or "
                            + "withSequence"
                    }
                default:
                    break
                }
                if let problem {
                    validator.errors.append(
                        .undeclaredReference(
                            reference: placeholder.text, at: validator.location(scalarPath), path: scalarPath,
                            hint: problem))
                }
            }
        }
    }

    /// Checks `{{workflow.parameters.X}}` everywhere against `spec.arguments.parameters`.
    mutating func checkWorkflowParameterReferences() {
        let declared = Set((spec.arguments?.parameters ?? []).map(\.name))
        guard spec.workflowTemplateRef == nil, let specNode = tree["spec"] else { return }
        forEachScalar(in: specNode, at: "spec") { text, scalarPath, validator in
            for placeholder in Placeholder.all(in: text) where !placeholder.isExpression {
                let parts = placeholder.text.split(separator: ".").map(String.init)
                // `{{workflow.parameters.json}}` is every argument as JSON, unless an argument is named `json`.
                let isWholeList = parts.count == 3 && parts[2] == "json"
                if parts.count >= 3, parts[0] == "workflow", parts[1] == "parameters", !declared.contains(parts[2]),
                    !isWholeList
                {
                    validator.errors.append(
                        .undeclaredReference(
                            reference: placeholder.text, at: validator.location(scalarPath), path: scalarPath,
                            hint: "the workflow declares no argument '\(parts[2])' in spec.arguments.parameters"))
                }
            }
        }
    }

    mutating func forEachScalar(
        in node: YAMLValue, at path: SpecPath, _ body: (String, SpecPath, inout WorkflowValidator) -> Void
    ) {
        var components = path.components
        forEachScalar(in: node, components: &components, body)
    }

    /// The walk of ``forEachScalar(in:at:_:)``: the path is one stack of components, made a ``SpecPath`` only for a
    /// scalar that holds a placeholder.
    private mutating func forEachScalar(
        in node: YAMLValue, components: inout [SpecPath.Component],
        _ body: (String, SpecPath, inout WorkflowValidator) -> Void
    ) {
        switch node {
        case .scalar(let text, _, _):
            if text.containsPlaceholderOpening { body(text, SpecPath(components), &self) }
        case .sequence(let elements, _):
            for (index, element) in elements.enumerated() {
                components.append(.index(index))
                forEachScalar(in: element, components: &components, body)
                components.removeLast()
            }
        case .mapping(let entries, _):
            for entry in entries where entry.key != "governance" {
                components.append(.key(entry.key))
                forEachScalar(in: entry.value, components: &components, body)
                components.removeLast()
            }
        }
    }
}
