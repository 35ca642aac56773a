/// The JSONPath subset Argo's `jsonpath(json, path)` is used with: `$`, `.name`, `['name']`, `[0]` (negative from
/// the end), `[*]`, `.*` and `..name` (recursive descent).
///
/// A path without wildcards returns one value and fails when a key or index is missing; a path with wildcards
/// returns a list of every match (possibly empty), skipping elements that lack the key.
struct JSONPath {
    private enum Segment {
        case key(String)
        case index(Int)
        case wildcard
        case descendant(String)
    }

    private let path: String
    private let segments: [Segment]

    init(_ path: String) throws(ExpressionError) {
        self.path = path
        let scalars = Array(path.trimmingWhitespace().unicodeScalars)
        guard scalars.first == "$" else { throw .invalidJSONPath(path: path, reason: "must start with '$'") }
        var segments: [Segment] = []
        var index = 1
        func name() -> String {
            var result = ""
            while index < scalars.count, scalars[index] != ".", scalars[index] != "[" {
                result.unicodeScalars.append(scalars[index])
                index += 1
            }
            return result
        }
        while index < scalars.count {
            if scalars[index] == "." {
                index += 1
                if index < scalars.count, scalars[index] == "." {
                    index += 1
                    let key = name()
                    guard !key.isEmpty else {
                        throw .invalidJSONPath(path: path, reason: "has an empty name after '..'")
                    }
                    segments.append(.descendant(key))
                    continue
                }
                let key = name()
                guard !key.isEmpty else { throw .invalidJSONPath(path: path, reason: "has an empty name after '.'") }
                segments.append(key == "*" ? .wildcard : .key(key))
            } else if scalars[index] == "[" {
                guard let close = scalars[index...].firstIndex(of: "]") else {
                    throw .invalidJSONPath(path: path, reason: "has an unclosed '['")
                }
                var inner = ""
                inner.unicodeScalars.append(contentsOf: scalars[(index + 1)..<close])
                inner = inner.trimmingWhitespace()
                index = close + 1
                if inner == "*" {
                    segments.append(.wildcard)
                } else if let number = Int(inner) {
                    segments.append(.index(number))
                } else if inner.count >= 2, let quote = inner.first, quote == "'" || quote == "\"", inner.last == quote
                {
                    segments.append(.key(String(inner.dropFirst().dropLast())))
                } else {
                    throw .invalidJSONPath(path: path, reason: "has an unsupported selector '[\(inner)]'")
                }
            } else {
                throw .invalidJSONPath(path: path, reason: "has an unexpected character '\(scalars[index])'")
            }
        }
        self.segments = segments
    }

    func query(_ document: ExpressionValue) throws(ExpressionError) -> ExpressionValue {
        let isDefinite = segments.allSatisfy {
            switch $0 {
            case .key, .index: true
            case .wildcard, .descendant: false
            }
        }
        if isDefinite {
            var current = document
            for segment in segments {
                switch (segment, current) {
                case (.key(let key), .map(let entries)):
                    guard let next = entries[key] else {
                        throw .invalidJSONPath(path: path, reason: "found no key '\(key)'")
                    }
                    current = next
                case (.index(let raw), .list(let items)):
                    let index = raw < 0 ? items.count + raw : raw
                    guard items.indices.contains(index) else {
                        throw .invalidJSONPath(
                            path: path, reason: "index \(raw) is out of range for length \(items.count)")
                    }
                    current = items[index]
                case (.key(let key), _):
                    throw .invalidJSONPath(
                        path: path, reason: "cannot read key '\(key)' of \(current.typedDescription)")
                default:
                    throw .invalidJSONPath(path: path, reason: "cannot index \(current.typedDescription)")
                }
            }
            return current
        }
        var matches = [document]
        for segment in segments {
            var next: [ExpressionValue] = []
            for value in matches {
                switch (segment, value) {
                case (.key(let key), .map(let entries)):
                    if let found = entries[key] { next.append(found) }
                case (.index(let raw), .list(let items)):
                    let index = raw < 0 ? items.count + raw : raw
                    if items.indices.contains(index) { next.append(items[index]) }
                case (.wildcard, .list(let items)):
                    next += items
                case (.wildcard, .map(let entries)):
                    next += entries.keys.sorted().map { entries[$0, default: .null] }
                case (.descendant(let key), _):
                    Self.collect(key, in: value, into: &next)
                default:
                    break
                }
            }
            matches = next
        }
        return .list(matches)
    }

    private static func collect(_ key: String, in value: ExpressionValue, into results: inout [ExpressionValue]) {
        switch value {
        case .map(let entries):
            if let found = entries[key] { results.append(found) }
            for name in entries.keys.sorted() { collect(key, in: entries[name, default: .null], into: &results) }
        case .list(let items):
            for item in items { collect(key, in: item, into: &results) }
        default:
            break
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        ExprFunctions.trimScalars(self) { $0.properties.isWhitespace }
    }
}
