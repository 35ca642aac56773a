import Foundation
import SluiceSpec
package import SluiceStore

extension ArgoStatus {
    /// Writes ``json(run:nodes:)``'s text, byte for byte, to `write` in pieces: the nodes one at a time instead of one
    /// document of every node in memory.
    ///
    /// `JSONSerialization` with sorted keys spends most of its time in locale-aware key comparisons and bridging
    /// (about 2.8 s and 220 MB for 10,000 nodes). Here the envelope around `status.nodes` is still serialized by
    /// `JSONSerialization`; each node is written by ``NodeJSONWriter``, which follows Foundation's pretty printer
    /// exactly (two-space indent, `" : "`, its string escapes) and sorts keys with Foundation's own comparison, and
    /// hands nested values (inputs, outputs, memoization) to `JSONSerialization` too.
    package static func streamJSON(run: RunRecord, nodes: [NodeRecord], to write: (String) -> Void) {
        var envelope = workflowObject(run: run, nodes: [])
        guard var status = envelope["status"] as? [String: Any] else { return write(json(run: run, nodes: nodes)) }
        let pods = nodes.filter { $0.type == .pod }.map(podProgress)
        status["progress"] = "\(pods.map(\.done).reduce(0, +))/\(pods.map(\.total).reduce(0, +))"
        status["nodes"] = nodesPlaceholder
        envelope["status"] = status
        guard let data = try? JSONSerialization.data(withJSONObject: envelope, options: writingOptions) else {
            return write("{}")
        }
        let text = String(decoding: data, as: UTF8.self)
        // The placeholder is a string at the indentation of `status`'s keys: no user value can sit there.
        let marker = "\n    \"nodes\" : \"\(nodesPlaceholder)\""
        guard let range = text.range(of: marker) else { return write(json(run: run, nodes: nodes)) }
        write(String(text[..<range.lowerBound]))
        write("\n    \"nodes\" : ")
        withoutActuallyEscaping(write) { write in
            var writer = NodeJSONWriter(nodes: nodes, indent: 4, write: write)
            writer.writeNodes()
        }
        write(String(text[range.upperBound...]))
    }

    /// The options of every `JSONSerialization` call of the status.
    static let writingOptions: JSONSerialization.WritingOptions = [
        .prettyPrinted, .sortedKeys, .withoutEscapingSlashes,
    ]

    private static let nodesPlaceholder = "sluice-nodes-placeholder"
}

/// Writes `status.nodes` as `JSONSerialization` would (pretty printed, sorted keys, slashes unescaped).
struct NodeJSONWriter {
    let nodes: [NodeRecord]
    let byID: [String: NodeRecord]
    var indent: Int
    let write: (String) -> Void

    init(nodes: [NodeRecord], indent: Int, write: @escaping (String) -> Void) {
        self.nodes = nodes
        self.byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.indent = indent
        self.write = write
    }

    /// The node map: ids in Foundation's sorted order, each node's object.
    mutating func writeNodes() {
        let ids = byID.keys.sorted(by: Self.foundationOrder)
        write("{\n")
        indent += 2
        if !ids.isEmpty { writeIndent() }
        var first = true
        for id in ids {
            guard let node = byID[id] else { continue }
            if !first {
                write(",\n")
                writeIndent()
            }
            first = false
            writeString(id)
            write(" : ")
            writeNode(node)
        }
        write("\n")
        indent -= 2
        writeIndent()
        write("}")
    }

    /// One node's fields, as ``ArgoStatus/workflowObject(run:nodes:)`` builds them.
    private mutating func writeNode(_ node: NodeRecord) {
        var fields: [String: Field] = [
            "id": .string(node.id), "name": .string(node.name), "displayName": .string(node.displayName),
            "type": .string(node.type.rawValue), "phase": .string(node.phase.rawValue),
            "children": .nested(ArgoStatus.decodeArray(node.childrenJSON)),
            "progress": .string(ArgoStatus.progress(of: node.id, in: byID)),
        ]
        if let name = node.templateName { fields["templateName"] = .string(name) }
        if let message = node.message { fields["message"] = .string(message) }
        if let boundary = node.boundaryID { fields["boundaryID"] = .string(boundary) }
        if let started = node.startedAt { fields["startedAt"] = .string(ArgoStatus.format(started)) }
        if let finished = node.finishedAt { fields["finishedAt"] = .string(ArgoStatus.format(finished)) }
        if let inputs = node.inputsJSON.flatMap(ArgoStatus.decodeObject), !inputs.isEmpty {
            fields["inputs"] = .nested(inputs)
        }
        if let outputs = node.outputsJSON.flatMap(ArgoStatus.decodeObject), !outputs.isEmpty {
            fields["outputs"] = .nested(outputs)
        }
        if let digest = node.envelopeDigest { fields["lineageEnvelope"] = .string("sha256:" + digest) }
        if let memoization = MemoizationStatus(message: node.message) {
            fields["memoizationStatus"] = .nested(
                [
                    "hit": memoization.hit, "key": memoization.key, "cacheName": memoization.cacheName,
                ] as [String: Any])
        }
        write("{\n")
        indent += 2
        writeIndent()
        var first = true
        for key in fields.keys.sorted(by: Self.fieldOrder) {
            guard let field = fields[key] else { continue }
            if !first {
                write(",\n")
                writeIndent()
            }
            first = false
            writeString(key)
            write(" : ")
            switch field {
            case .string(let value): writeString(value)
            case .nested(let value): writeNested(value)
            }
        }
        write("\n")
        indent -= 2
        writeIndent()
        write("}")
    }

    private enum Field {
        case string(String)
        case nested(Any)
    }

    /// An array of strings directly; anything else through `JSONSerialization`, re-indented to this depth (its
    /// strings never hold a raw newline, so every newline in its text starts a line).
    private mutating func writeNested(_ value: Any) {
        if let strings = value as? [String] {
            write("[\n")
            indent += 2
            for (index, string) in strings.enumerated() {
                if index > 0 { write(",\n") }
                writeIndent()
                writeString(string)
            }
            write("\n")
            indent -= 2
            writeIndent()
            write("]")
            return
        }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: ArgoStatus.writingOptions) else {
            return write("null")
        }
        // An empty line is the inside of an empty array or object: Foundation writes no indent there.
        let padding = String(repeating: " ", count: indent)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        write(lines.enumerated().map { $0 == 0 || $1.isEmpty ? String($1) : padding + $1 }.joined(separator: "\n"))
    }

    /// A JSON string as Foundation writes it: printable ASCII other than `"` and `\` as is, anything else through
    /// `JSONSerialization` itself (so its escapes are Foundation's by construction).
    private func writeString(_ value: String) {
        let plain = value.utf8.allSatisfy {
            $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
        }
        if plain {
            write("\"" + value + "\"")
        } else if let data = try? JSONSerialization.data(
            withJSONObject: value, options: ArgoStatus.writingOptions.union(.fragmentsAllowed))
        {
            write(String(decoding: data, as: UTF8.self))
        } else {
            write("\"\"")
        }
    }

    private func writeIndent() { write(String(repeating: " ", count: indent)) }

    /// Foundation's key order for sorted output (swift-corelibs-foundation's `JSONWriter`): numeric, case-insensitive,
    /// forced ordering, in the system locale.
    static func foundationOrder(_ a: String, _ b: String) -> Bool {
        a.compare(
            b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex,
            locale: Locale(identifier: "")) == .orderedAscending
    }

    /// Every key a node object may have, ranked once in Foundation's order.
    private static let fieldRanks: [String: Int] = {
        let keys = [
            "id", "name", "displayName", "type", "phase", "children", "progress", "templateName", "message",
            "boundaryID", "startedAt", "finishedAt", "inputs", "outputs", "lineageEnvelope", "memoizationStatus",
        ]
        return Dictionary(uniqueKeysWithValues: keys.sorted(by: foundationOrder).enumerated().map { ($1, $0) })
    }()

    private static func fieldOrder(_ a: String, _ b: String) -> Bool {
        (fieldRanks[a] ?? Int.max, a) < (fieldRanks[b] ?? Int.max, b)
    }
}
