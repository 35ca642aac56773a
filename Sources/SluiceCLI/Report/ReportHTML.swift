import Foundation

/// Renders a run as one self-contained HTML file: styles, script and data inline, nothing fetched at view time
/// (a Content-Security-Policy forbids any network access).
///
/// The page shows the run's verification verdict, the DAG laid out by ``GraphLayout`` (nodes coloured by phase,
/// refused nodes marked with the refusing check), and for a selected node its timing, inputs and outputs with
/// digests, envelope, refusals, logs and the lineage of its inputs traced back to their sources.
enum ReportHTML {
    /// Bytes of a node's log kept in the page.
    static let logLimit = 16 * 1024

    /// The HTML document for `view`.
    static func render(_ view: RunView, generatedAt: Date = Date()) -> String {
        let data = dataJSON(view, generatedAt: generatedAt)
        let title = escape("\(view.name) · \(view.phase) · Sluice run report")
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
            script-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>\(ReportAssets.css)</style>
            </head>
            <body data-render="pending">
            <header id="head"></header>
            <main>
              <section id="graph-pane">
                <div id="toolbar">
                  <input id="search" type="search" placeholder="Find a node (name, template, phase)…" aria-label="Find a node">
                  <button id="fit" type="button">Fit</button>
                  <button id="zoom-in" type="button">+</button>
                  <button id="zoom-out" type="button">−</button>
                  <span id="legend"></span>
                </div>
                <svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="DAG of the run"></svg>
              </section>
              <aside id="details"><p class="hint">Select a node to see its timing, inputs, outputs, envelope, logs \
            and lineage.</p></aside>
            </main>
            <section id="tables"></section>
            <noscript><p>This report draws its graph with JavaScript; the data is in the script element \
            #run-data.</p></noscript>
            <script type="application/json" id="run-data">\(data)</script>
            <script>\(ReportAssets.script)</script>
            </body>
            </html>

            """
    }

    /// The page's data as JSON safe inside a `<script>` element (`<` written as `\\u003c`).
    static func dataJSON(_ view: RunView, generatedAt: Date) -> String {
        let flow = flowChildren(view.nodes)
        let layout = GraphLayout(nodes: view.nodes.map { ($0.id, flow[$0.id] ?? $0.children) })
        var nodes: [[String: Any]] = []
        for node in view.nodes {
            guard let cell = layout.cells[node.id] else { continue }
            var object = nodeObject(node, cell: cell)
            object["children"] = flow[node.id] ?? node.children
            nodes.append(object)
        }
        var run: [String: Any] = ["name": view.name, "id": view.id, "phase": view.phase]
        run["message"] = view.message
        run["startedAt"] = view.startedAt.map(ArgoTimeText.format)
        run["finishedAt"] = view.finishedAt.map(ArgoTimeText.format)
        run["duration"] = view.duration
        run["runtime"] = view.runtime
        run["workflowDigest"] = view.workflowDigest
        run["governanceDigest"] = view.governanceDigest
        run["signer"] = view.signer
        var root: [String: Any] = [
            "run": run, "nodes": nodes, "generatedAt": ArgoTimeText.format(generatedAt),
            "layout": [
                "width": layout.width, "height": layout.height, "cellWidth": GraphLayout.cellWidth,
                "cellHeight": GraphLayout.cellHeight,
                "blocks": layout.blocks.map {
                    ["layer": $0.layer, "x": $0.x, "y": $0.y, "width": $0.width, "height": $0.height]
                },
            ] as [String: Any],
        ]
        if let verification = view.verification {
            root["verification"] =
                [
                    "verified": verification.isVerified, "failures": verification.failures,
                    "findings": verification.findings.map {
                        ["subject": $0.subject, "ok": $0.ok, "detail": $0.detail]
                    },
                ] as [String: Any]
        }
        guard let bytes = try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: "\u{2028}", with: "\\u2028").replacingOccurrences(of: "\u{2029}", with: "\\u2029")
    }

    /// The edges to draw: a node's children, except that the tasks depending on a loop (`withItems`,
    /// `withSequence`) hang below the loop's items, as in the Argo UI, not beside them under the TaskGroup.
    static func flowChildren(_ nodes: [NodeView]) -> [String: [String]] {
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var flow = Dictionary(nodes.map { ($0.id, $0.children) }, uniquingKeysWith: { first, _ in first })
        for group in nodes where group.type == "TaskGroup" {
            let prefix = group.displayName + "("
            let items = group.children.filter { byID[$0]?.displayName.hasPrefix(prefix) == true }
            let itemSet = Set(items)
            let after = group.children.filter { !itemSet.contains($0) }
            guard !items.isEmpty, !after.isEmpty else { continue }
            flow[group.id] = items
            for item in items where flow[item]?.isEmpty ?? true { flow[item] = after }
        }
        return flow
    }

    private static func nodeObject(_ node: NodeView, cell: GraphLayout.Cell) -> [String: Any] {
        var object: [String: Any] = [
            "id": node.id, "name": node.name, "display": node.displayName, "type": node.type, "phase": node.phase,
            "children": node.children, "x": cell.x, "y": cell.y, "layer": cell.layer, "group": !node.isLeaf,
            "inputs": node.inputs.map(portObject), "outputs": node.outputs.map(portObject),
            "refusals": node.refusals.map { refusal -> [String: Any] in
                var object: [String: Any] = ["check": refusal.check, "message": refusal.message]
                object["input"] = refusal.input
                return object
            },
        ]
        object["template"] = node.templateName
        object["message"] = node.message
        object["startedAt"] = node.startedAt.map(ArgoTimeText.format)
        object["finishedAt"] = node.finishedAt.map(ArgoTimeText.format)
        object["duration"] = node.duration
        if let logs = node.logs {
            object["logs"] =
                logs.utf8.count > logLimit
                ? "… (earlier output not shown)\n" + String(decoding: Array(logs.utf8.suffix(logLimit)), as: UTF8.self)
                : logs
        }
        if let envelope = node.envelope {
            var value: [String: Any] = [
                "payloadDigest": envelope.payloadDigest, "trustSlope": envelope.trustSlope, "command": envelope.command,
            ]
            value["signer"] = envelope.signerKeyID
            value["constraintsDigest"] = envelope.constraintsDigest
            value["governanceDigest"] = envelope.governanceDigest
            value["chainDepth"] = envelope.chainDepth
            value["image"] = envelope.image
            object["envelope"] = value
        }
        return object
    }

    private static func portObject(_ port: PortView) -> [String: Any] {
        var object: [String: Any] = ["kind": port.kind.rawValue, "name": port.name]
        object["value"] = port.value
        object["digest"] = port.digest
        object["producer"] = port.producerNodeID
        object["subject"] = port.producerSubject
        return object
    }

    /// Escapes text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// RFC 3339 timestamps with milliseconds (UTC) for the page's script.
private enum ArgoTimeText {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}
