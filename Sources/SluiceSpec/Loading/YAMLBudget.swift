import CYaml
import SluiceExpressions

/// Checks a YAML text against ``InputLimits`` before it is composed into a tree: nesting depth, alias count and the
/// nodes that expanding the aliases would add (a "billion laughs" file is refused at the alias that crosses the
/// budget, in time and memory proportional to the text).
///
/// It reads libyaml's event stream (the parser Yams composes from), which holds no tree. Syntax errors are left to
/// the composer that runs next, which reports them with their positions.
enum YAMLBudget {
    /// Refuses `text` when it exceeds `limits`.
    ///
    /// - Throws: ``SpecError/limitExceeded(limit:detail:at:)`` at the position of the offending node or alias.
    static func check(_ text: String, file: String, limits: InputLimits) throws(SpecError) {
        let byteCount = text.utf8.count
        guard byteCount <= limits.documentBytes else {
            throw .limitExceeded(
                limit: "document-bytes",
                detail: "the file is \(byteCount) bytes, more than "
                    + "\(limits.documentBytes)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        var bytes = Array(text.utf8)
        let failure: SpecError? = bytes.withUnsafeMutableBufferPointer { buffer in
            var walker = EventWalker(file: file, limits: limits)
            return walker.walk(buffer)
        }
        if let failure { throw failure }
    }
}

/// One pass over libyaml's events, counting what ``YAMLBudget`` bounds.
private struct EventWalker {
    /// A collection being read: the nodes it holds so far (aliases counted expanded) and its anchor.
    private struct Frame {
        var nodes = 1
        var anchor: String?
    }

    let file: String
    let limits: InputLimits
    private var frames: [Frame] = []
    private var anchorSizes: [String: Int] = [:]
    private var aliases = 0
    private var expansion = 0

    init(file: String, limits: InputLimits) {
        self.file = file
        self.limits = limits
    }

    /// Walks every event of `buffer`; the first limit crossed, or nil.
    mutating func walk(_ buffer: UnsafeMutableBufferPointer<UInt8>) -> SpecError? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { return nil }
            if let failure = visit(event) { return failure }
        }
    }

    private func location(_ event: yaml_event_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private mutating func visit(_ event: yaml_event_t) -> SpecError? {
        switch event.type {
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let anchor =
                event.type == YAML_SEQUENCE_START_EVENT
                ? Self.text(event.data.sequence_start.anchor) : Self.text(event.data.mapping_start.anchor)
            frames.append(Frame(anchor: anchor))
            guard frames.count <= limits.yamlDepth else {
                return .limitExceeded(
                    limit: "yaml-depth",
                    detail: "collections nest deeper than "
                        + "\(limits.yamlDepth) levels", at: location(event))
            }
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = frames.popLast() else { return nil }
            if let anchor = frame.anchor { anchorSizes[anchor] = frame.nodes }
            add(frame.nodes)
        case YAML_SCALAR_EVENT:
            if let anchor = Self.text(event.data.scalar.anchor) { anchorSizes[anchor] = 1 }
            add(1)
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.data.alias.anchor) ?? ""
            aliases += 1
            guard aliases <= limits.yamlAliases else {
                return .limitExceeded(
                    limit: "yaml-aliases",
                    detail: "more than \(limits.yamlAliases) aliases, "
                        + "this one '*\(name.excerpt(limit: 40))'", at: location(event))
            }
            let size = anchorSizes[name] ?? 1
            expansion += size
            guard expansion <= limits.aliasExpansion else {
                return .limitExceeded(
                    limit: "alias-expansion",
                    detail: "alias '*\(name.excerpt(limit: 40))' "
                        + "(\(size) nodes) expands the file past \(limits.aliasExpansion) nodes", at: location(event))
            }
            add(size)
        default:
            break
        }
        return nil
    }

    private mutating func add(_ nodes: Int) {
        guard !frames.isEmpty else { return }
        frames[frames.count - 1].nodes += nodes
    }
}
