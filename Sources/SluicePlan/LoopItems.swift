package import SluiceExpressions
package import SluiceSpec

/// Expands Argo's loops (`withItems`, `withParam`, `withSequence`) into items, and names and scopes each iteration.
package enum LoopItems {
    /// The items of a step or task, or nil when it has no loop.
    ///
    /// - Throws: ``EngineError`` when `withParam` is not a JSON list or `withSequence` is malformed.
    package static func expand(
        withItems: [AnyValue]?, withParam: String?, withSequence: WithSequence?, renderer: inout Renderer,
        context: String
    ) throws(EngineError) -> [ExpressionValue]? {
        let limit = InputLimits.current.loopItems
        if let withItems {
            guard withItems.count <= limit else {
                throw .limitExceeded(
                    limit: "loop-items",
                    detail: "withItems has \(withItems.count) items, more than "
                        + "\(limit)", context: context)
            }
            var items: [ExpressionValue] = []
            for item in withItems { items.append(try render(item, renderer: &renderer, context: context)) }
            return items
        }
        if let withParam {
            let text = try renderer.render(withParam, context: "withParam of \(context)")
            let value: ExpressionValue
            do {
                value = try ExpressionValue(jsonString: text)
            } catch {
                throw .badExpression(
                    expression: text, reason: "withParam must be a JSON list (\(error.description))",
                    context: context)
            }
            guard case .list(let items) = value else {
                throw .badExpression(expression: text, reason: "withParam must be a JSON list", context: context)
            }
            guard items.count <= limit else {
                throw .limitExceeded(
                    limit: "loop-items",
                    detail: "withParam has \(items.count) items, more than "
                        + "\(limit)", context: context)
            }
            return items
        }
        if let withSequence {
            return try sequence(withSequence, renderer: &renderer, context: context).map(ExpressionValue.string)
        }
        return nil
    }

    /// `withSequence`: `count` (from `start`, default 0) or `start`..`end` inclusive (descending when end < start),
    /// each formatted with `format` (printf style, e.g. `testuser%02d`).
    package static func sequence(_ sequence: WithSequence, renderer: inout Renderer, context: String)
        throws(EngineError)
        -> [String]
    {
        func number(_ text: ArgoString?, _ field: String) throws(EngineError) -> Int? {
            guard let text else { return nil }
            let rendered = try renderer.render(text.value, context: "withSequence.\(field) of \(context)")
            guard let value = Int(rendered.trimmingCharacters(in: " ")) else {
                throw .badExpression(
                    expression: rendered, reason: "withSequence.\(field) must be an integer",
                    context: context)
            }
            return value
        }
        let start = try number(sequence.start, "start") ?? 0
        let count = try number(sequence.count, "count")
        let end = count == nil ? try number(sequence.end, "end") : nil
        guard let size = SequenceSize.count(count: count, start: start, end: end) else {
            throw .badExpression(expression: "withSequence", reason: "give either count or end", context: context)
        }
        let limit = InputLimits.current.loopItems
        guard size <= limit else {
            throw .limitExceeded(
                limit: "loop-items", detail: "withSequence has \(size) items, more than \(limit)",
                context: context)
        }
        // size <= limit, so start + size and every step below fit an Int.
        let step = (end ?? start) >= start ? 1 : -1
        var values: [String] = []
        values.reserveCapacity(size)
        var value = start
        for index in 0..<size {
            values.append(format(value, sequence.format))
            guard index + 1 < size else { break }
            let (next, overflow) = value.addingReportingOverflow(step)
            guard !overflow else {
                throw .badExpression(
                    expression: "withSequence", reason: "the sequence passes \(Int.max)",
                    context: context)
            }
            value = next
        }
        return values
    }

    /// printf-style formatting of an integer for `withSequence.format` (`%d`, `%05d`, `%x`, `%o`).
    package static func format(_ value: Int, _ format: String?) -> String {
        guard let format, let percent = format.firstIndex(of: "%") else {
            return format.map { _ in String(value) } ?? String(value)
        }
        var index = format.index(after: percent)
        var flags = ""
        while index < format.endIndex, "0123456789-".contains(format[index]) {
            flags.append(format[index])
            index = format.index(after: index)
        }
        guard index < format.endIndex else { return format }
        let verb = format[index]
        var digits: String
        switch verb {
        case "x": digits = String(value, radix: 16)
        case "X": digits = String(value, radix: 16, uppercase: true)
        case "o": digits = String(value, radix: 8)
        default: digits = String(value)
        }
        // A width past 1,000 characters is no name anyone needs, and would let a format allocate without bound.
        if let width = Int(flags.drop { $0 == "0" || $0 == "-" }), digits.count < width, width <= 1_000 {
            let pad = flags.hasPrefix("0") ? "0" : " "
            let negative = digits.hasPrefix("-")
            if negative && pad == "0" { digits.removeFirst() }
            digits = String(repeating: pad, count: width - digits.count - (negative && pad == "0" ? 1 : 0)) + digits
            if negative && pad == "0" { digits = "-" + digits }
        }
        return String(format[..<percent]) + digits + String(format[format.index(after: index)...])
    }

    /// The label Argo puts in an iteration's name: `name(0:hello)`, maps as sorted `key:value` pairs.
    package static func label(_ item: ExpressionValue) -> String {
        switch item {
        case .map(let map):
            return map.keys.sorted().map { "\($0):\(map[$0]?.asString ?? "")" }.joined(separator: ",")
        default:
            return item.asString
        }
    }

    /// The scope of one iteration: `item`, `item.KEY` (nested too), each carrying what the loop's items were
    /// derived from (`withParam` over an output carries that output).
    package static func scope(_ base: VariableScope, item: ExpressionValue, provenance: Set<ValueSource> = [])
        -> VariableScope
    {
        var scope = base
        scope.set("item", item.asString, provenance: provenance)
        func add(_ value: ExpressionValue, prefix: String) {
            guard case .map(let map) = value else { return }
            for (key, nested) in map {
                scope.set("\(prefix).\(key)", nested.asString, provenance: provenance)
                add(nested, prefix: "\(prefix).\(key)")
            }
        }
        add(item, prefix: "item")
        return scope
    }

    private static func render(_ value: AnyValue, renderer: inout Renderer, context: String) throws(EngineError)
        -> ExpressionValue
    {
        switch value {
        case .string(let text):
            return .string(try renderer.render(text, context: "withItems of \(context)"))
        case .list(let items):
            var rendered: [ExpressionValue] = []
            for item in items { rendered.append(try render(item, renderer: &renderer, context: context)) }
            return .list(rendered)
        case .map(let map):
            var rendered: [String: ExpressionValue] = [:]
            for (key, item) in map { rendered[key] = try render(item, renderer: &renderer, context: context) }
            return .map(rendered)
        case .null:
            return .null
        }
    }
}

extension VariableScope {
    /// Publishes a loop's results under `prefix` as Argo aggregates them: `outputs.parameters.NAME` is a JSON list
    /// of the iterations' values, `outputs.result` a JSON list of their results (results that are JSON objects are
    /// kept as objects).
    package mutating func publishAggregate(_ summary: NodeState, iterations: [NodeState], as prefix: String) {
        set("\(prefix).id", summary.id)
        set("\(prefix).status", summary.phase.rawValue)
        var names: [String] = []
        for node in iterations {
            for parameter in node.outputs?.parameters ?? [] where !names.contains(parameter.name) {
                names.append(parameter.name)
            }
        }
        // Each aggregate is derived from every iteration's output it lists.
        var all: Set<ValueSource> = []
        for name in names {
            let subject = "outputs/parameters/\(name)"
            let producing = iterations.filter { $0.outputs?.parameters.contains { $0.name == name } == true }
            let values = producing.compactMap { $0.outputs?.parameters.first { $0.name == name }?.value }
            let provenance = producing.reduce(into: Set<ValueSource>()) { $0.formUnion($1.provenance(of: subject)) }
            all.formUnion(provenance)
            set(
                "\(prefix).outputs.parameters.\(name)",
                ExpressionValue.list(values.map(ExpressionValue.string)).jsonString,
                provenance: provenance)
        }
        // `outputs.parameters` of a loop: one object per iteration, name -> value.
        let perIteration = iterations.compactMap { node -> ExpressionValue? in
            guard let parameters = node.outputs?.parameters, !parameters.isEmpty else { return nil }
            return .map(
                Dictionary(
                    parameters.map { ($0.name, ExpressionValue.string($0.value)) },
                    uniquingKeysWith: { _, last in last }))
        }
        if !perIteration.isEmpty {
            set("\(prefix).outputs.parameters", ExpressionValue.list(perIteration).jsonString, provenance: all)
        }
        let withResult = iterations.filter { $0.outputs?.result != nil }
        let results = withResult.compactMap { $0.outputs?.result }
        if !results.isEmpty {
            let items = results.map { result -> ExpressionValue in
                if let parsed = try? ExpressionValue(jsonString: result), case .map = parsed { return parsed }
                return .string(result)
            }
            set(
                "\(prefix).outputs.result", ExpressionValue.list(items).jsonString,
                provenance: withResult.reduce(into: Set<ValueSource>()) {
                    $0.formUnion($1.provenance(of: "outputs/result"))
                })
        }
    }
}
