import SluiceExpressions

/// A problem with a workflow file, located where it was found.
///
/// Every case that comes from the file carries a ``SourceLocation`` and the ``SpecPath`` of the offending value, so
/// `description` reads `file:line:column: error: message (at spec.templates[0].dag)`.
package enum SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case syntax(at: SourceLocation, problem: String, openedAt: SourceLocation?)
    case noDocuments(file: String)
    case notAWorkflow(at: SourceLocation, kind: String)
    case unknownField(field: String, at: SourceLocation, path: SpecPath)
    case wrongType(expected: String, found: String, at: SourceLocation, path: SpecPath)
    case missingField(field: String, at: SourceLocation, path: SpecPath)
    case invalidValue(message: String, at: SourceLocation, path: SpecPath)
    case missingEntrypoint(at: SourceLocation)
    case unknownTemplate(name: String, at: SourceLocation, path: SpecPath)
    case duplicateName(kind: String, name: String, at: SourceLocation, path: SpecPath, firstAt: SourceLocation)
    case unknownDependency(task: String, dependency: String, at: SourceLocation, path: SpecPath)
    case dependencyCycle(cycle: [String], at: SourceLocation, path: SpecPath)
    case undeclaredReference(reference: String, at: SourceLocation, path: SpecPath, hint: String)
    case badExpression(expression: String, reason: String, at: SourceLocation, path: SpecPath)
    case unknownParameter(name: String, known: [String])
    case unsupported(feature: String, at: SourceLocation, path: SpecPath, reason: String)
    case templateRecursion(chain: [String], at: SourceLocation)
    /// A value past one of the ``InputLimits`` (named as `--limit` spells it), refused before anything runs.
    case limitExceeded(limit: String, detail: String, at: SourceLocation, path: SpecPath? = nil)
    /// Several problems found in one pass; `description` lists each on its own line.
    indirect case invalid(errors: [SpecError])

    /// Where the problem is, when it has a position in a file.
    package var location: SourceLocation? {
        switch self {
        case .unreadableFile, .noDocuments, .unknownParameter: nil
        case .invalid(let errors): errors.first?.location
        case .syntax(let at, _, _), .notAWorkflow(let at, _), .unknownField(_, let at, _),
            .wrongType(_, _, let at, _), .missingField(_, let at, _), .invalidValue(_, let at, _),
            .missingEntrypoint(let at), .unknownTemplate(_, let at, _), .duplicateName(_, _, let at, _, _),
            .unknownDependency(_, _, let at, _), .dependencyCycle(_, let at, _),
            .undeclaredReference(_, let at, _, _), .badExpression(_, _, let at, _), .unsupported(_, let at, _, _),
            .templateRecursion(_, let at), .limitExceeded(_, _, let at, _):
            at
        }
    }

    /// The message without its location prefix.
    package var message: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read '\(path.excerpt())': \(reason)"
        case .syntax(_, let problem, let openedAt):
            let opened = openedAt.map { " (opened at \($0.line):\($0.column))" } ?? ""
            return "YAML syntax: \(problem.excerpt())\(opened)"
        case .noDocuments(let file):
            return "'\(file)' holds no Workflow or WorkflowTemplate document"
        case .notAWorkflow(_, let kind):
            return
                "unsupported kind '\(kind.excerpt())': expected Workflow, WorkflowTemplate or ClusterWorkflowTemplate"
        case .unknownField(let field, _, let path):
            return "unknown field '\(field.excerpt())' (at \(path))"
        case .wrongType(let expected, let found, _, let path):
            return "expected \(expected), found \(found) (at \(path))"
        case .missingField(let field, _, let path):
            return "missing required field '\(field)' (at \(path))"
        case .invalidValue(let message, _, let path):
            return "\(message.excerpt(limit: 600)) (at \(path))"
        case .missingEntrypoint:
            return "spec.entrypoint is missing: name the template the workflow starts with"
        case .unknownTemplate(let name, _, let path):
            return "unknown template '\(name.excerpt())' (at \(path))"
        case .duplicateName(let kind, let name, _, let path, let firstAt):
            return
                "duplicate \(kind) name '\(name.excerpt())', first defined at \(firstAt.line):\(firstAt.column) (at \(path))"
        case .unknownDependency(let task, let dependency, _, let path):
            return "task '\(task.excerpt())' depends on unknown task '\(dependency.excerpt())' (at \(path))"
        case .dependencyCycle(let cycle, _, let path):
            return "dependency cycle: \(cycle.joined(separator: " -> ")) (at \(path))"
        case .undeclaredReference(let reference, _, let path, let hint):
            return "reference to undeclared '{{\(reference.excerpt())}}'\(hint.isEmpty ? "" : ": \(hint)") (at \(path))"
        case .badExpression(let expression, let reason, _, let path):
            return "bad expression '\(expression.excerpt())': \(reason.excerpt(limit: 600)) (at \(path))"
        case .unknownParameter(let name, let known):
            let list = known.isEmpty ? "the workflow declares no arguments" : "known: \(known.joined(separator: ", "))"
            return "parameter '\(name.excerpt())' is not a workflow argument (\(list))"
        case .unsupported(let feature, _, let path, let reason):
            return "\(feature) is not supported: \(reason) (at \(path))"
        case .templateRecursion(let chain, _):
            return "templates call each other without end: \(chain.joined(separator: " -> "))"
        case .limitExceeded(let limit, let detail, _, let path):
            let at = path.map { " (at \($0))" } ?? ""
            return "\(detail): raise the limit with --limit \(limit)=N\(at)"
        case .invalid(let errors):
            return errors.map(\.message).joined(separator: "; ")
        }
    }

    package var description: String {
        if case .invalid(let errors) = self { return errors.map(\.description).joined(separator: "\n") }
        if let location { return "\(location): error: \(message)" }
        return "error: \(message)"
    }
}
