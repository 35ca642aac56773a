/// Everything that can go wrong parsing or evaluating an Argo expression, template string or `depends` clause.
///
/// Offsets count Unicode scalars from the start of the source text, starting at 0.
package enum ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source text is not valid in its dialect; `reason` says what was expected or found.
    case syntax(reason: String, offset: Int, source: String)
    /// A `{{` without a matching `}}` in a template string.
    case unterminatedPlaceholder(offset: Int, source: String)
    /// A name that is neither a variable in scope nor a map key on the path.
    case unknownVariable(name: String)
    /// A call to a function this engine does not provide.
    case unknownFunction(name: String)
    /// An operator applied to values of types it does not accept; `rhs` is nil for unary operators.
    case typeMismatch(operator: String, lhs: ExpressionValue, rhs: ExpressionValue?)
    /// An expression that had to produce a Boolean produced something else.
    case notBoolean(source: String, value: ExpressionValue)
    /// A function received an argument it cannot use; `reason` completes "cannot …".
    case invalidArgument(function: String, value: ExpressionValue, reason: String)
    /// A function was called with the wrong number of arguments; `expected` reads like "2" or "1 or 2".
    case wrongArgumentCount(function: String, expected: String, got: Int)
    /// A regular expression (`=~`, `matches`) that does not compile.
    case invalidRegex(pattern: String)
    /// Text given as JSON is not valid JSON.
    case invalidJSON(reason: String, offset: Int)
    /// A JSONPath expression (`jsonpath(json, path)`) that is malformed or does not match the document.
    case invalidJSONPath(path: String, reason: String)
    /// Index access past the end of a list or string.
    case indexOutOfRange(index: Int, count: Int)
    /// Integer modulo by zero (`%`).
    case divisionByZero(operator: String)
    /// A `depends` operand names a task result Argo does not define.
    case invalidTaskResult(task: String, result: String)
    /// A `{{name}}` placeholder without a value while rendering strictly.
    case unresolvedPlaceholder(name: String)
    /// An expression nested deeper than ``InputLimits/expressionDepth`` (parentheses, operators, lists): refused
    /// before it can exhaust the stack.
    case tooDeep(limit: Int, offset: Int, source: String)

    /// Whether this is ``tooDeep(limit:offset:source:)``: the one problem lint reports for expressions whose
    /// other faults show only with a run's values.
    package var isTooDeep: Bool {
        if case .tooDeep = self { return true }
        return false
    }

    package var description: String {
        switch self {
        case .syntax(let reason, let offset, let source):
            "syntax error at offset \(offset) in '\(source.excerpt())': \(reason.excerpt())"
        case .unterminatedPlaceholder(let offset, let source):
            "unterminated '{{' at offset \(offset) in '\(source.excerpt())': missing '}}'"
        case .unknownVariable(let name):
            "unknown variable '\(name.excerpt())'"
        case .unknownFunction(let name):
            "unknown function '\(name.excerpt())'"
        case .typeMismatch(let op, let lhs, let rhs):
            Self.describeMismatch(op, lhs, rhs)
        case .notBoolean(let source, let value):
            "expression '\(source.excerpt())' evaluated to \(value.typedDescription), not a boolean"
        case .invalidArgument(let function, let value, let reason):
            "\(function)() cannot \(reason): got \(value.typedDescription)"
        case .wrongArgumentCount(let function, let expected, let got):
            "\(function)() takes \(expected) argument\(expected == "1" ? "" : "s"), got \(got)"
        case .invalidRegex(let pattern):
            "invalid regular expression '\(pattern.excerpt())'"
        case .invalidJSON(let reason, let offset):
            "invalid JSON at offset \(offset): \(reason)"
        case .invalidJSONPath(let path, let reason):
            "JSONPath '\(path.excerpt())' \(reason.excerpt())"
        case .indexOutOfRange(let index, let count):
            "index \(index) out of range for length \(count)"
        case .divisionByZero(let op):
            "division by zero in '\(op)'"
        case .invalidTaskResult(let task, let result):
            "task result '\(result.excerpt())' for task '\(task.excerpt())' is invalid"
        case .unresolvedPlaceholder(let name):
            "unresolved placeholder '{{\(name.excerpt())}}'"
        case .tooDeep(let limit, let offset, let source):
            "nested deeper than \(limit) levels at offset \(offset) of \(source.unicodeScalars.count) characters: "
                + "raise the limit with --limit expression-depth=N"
        }
    }

    private static func describeMismatch(_ op: String, _ lhs: ExpressionValue, _ rhs: ExpressionValue?) -> String {
        if ["&&", "||", "and", "or", "?", "!"].contains(op) {
            return "cannot use \(lhs.typedDescription) with '\(op)': not a boolean"
        }
        guard let rhs else { return "cannot apply '\(op)' to \(lhs.typedDescription)" }
        switch op {
        case "<", "<=", ">", ">=":
            return "cannot compare \(lhs.typedDescription) with \(rhs.typedDescription)"
        default:
            return "cannot apply '\(op)' to \(lhs.typedDescription) and \(rhs.typedDescription)"
        }
    }
}
