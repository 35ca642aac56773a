import Foundation

/// A dynamically typed value flowing through expressions.
///
/// Numbers are always `Double` (expr-lang's int/float distinction is not kept); integral values render without
/// a fractional part. Argo parameters are strings, so most values entering an expression are `.string`.
package indirect enum ExpressionValue: Sendable, Equatable, Hashable {
    /// Absent value (`nil` in expr-lang, an output of a skipped node).
    case null
    /// A Boolean.
    case bool(Bool)
    /// A number; integers are represented exactly up to 2^53.
    case number(Double)
    /// A string.
    case string(String)
    /// An ordered list.
    case list([ExpressionValue])
    /// A map with string keys.
    case map([String: ExpressionValue])
}

// MARK: - Inspection

extension ExpressionValue {
    /// Whether the value counts as "true" in a loose context (Sprig's `empty`, `default`).
    ///
    /// `false`, `nil`, `0`, `""`, `[]` and `{}` are falsy; everything else is truthy. Expression operators
    /// (`&&`, `!`, `?:`) do not use this: they require real Booleans, as expr-lang and govaluate do.
    package var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number(let value): value != 0 && !value.isNaN
        case .string(let value): !value.isEmpty
        case .list(let value): !value.isEmpty
        case .map(let value): !value.isEmpty
        }
    }

    /// How Argo renders the value into a parameter string.
    ///
    /// Strings are returned raw, integral numbers without ".0", `nil` as the empty string, Booleans as
    /// `true`/`false`, lists and maps as compact JSON with sorted keys (what Go's `json.Marshal` produces).
    package var asString: String {
        switch self {
        case .null: ""
        case .string(let value): value
        case .bool, .number, .list, .map: jsonString
        }
    }

    /// The value's type name as used in error messages: `nil`, `bool`, `number`, `string`, `list`, `map`.
    package var typeName: String {
        switch self {
        case .null: "nil"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .list: "list"
        case .map: "map"
        }
    }

    /// The value with its type for error messages, e.g. `string 'a'`, `number 3`, `nil`.
    package var typedDescription: String {
        switch self {
        case .null: "nil"
        case .string(let value): "string '\(value.excerpt())'"
        default: "\(typeName) \(jsonString.excerpt())"
        }
    }

    /// Renders a number as Go's `json.Marshal` would for float64 values: integral values without a fraction.
    package static func format(number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "+Inf" : "-Inf" }
        if number == number.rounded(), abs(number) < 1e21 {
            if abs(number) < 9.0e15 { return String(Int64(number)) }
            return String(format: "%.0f", number)
        }
        return "\(number)"
    }

    /// The number as an exact integer, or nil when it has a fractional part or does not fit `Int`.
    var exactInteger: Int? {
        guard case .number(let value) = self, value == value.rounded(), abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }
}
