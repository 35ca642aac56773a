import Foundation
import SluiceSpec
import SluiceStore
import Testing

@testable import SluiceCLI
@testable import SluiceEngine

/// The pure parts behind the reports and the live view: layout, escaping, YAML scalars, durations, digest scans,
/// the progress board.
@Suite("Report and progress models")
struct ReportModelTests {
    @Test("layers follow the children edges; a cycle is placed below the rest, unknown children ignored")
    func layers() {
        let layers = GraphLayout.layers([
            ("root", ["a", "b", "ghost"]), ("a", ["c"]), ("b", ["c"]), ("c", []), ("x", ["y"]), ("y", ["x"]),
        ])
        #expect(layers == [["root"], ["a", "b"], ["c"], ["x", "y"]])
    }

    @Test("a layer wider than the row wraps into a block; every node gets a cell")
    func wrapping() {
        let children = (0..<100).map { "n\($0)" }
        let layout = GraphLayout(nodes: [("root", children)] + children.map { ($0, []) }, maxColumns: 30)
        #expect(layout.cells.count == 101)
        #expect(layout.blocks.count == 1)
        #expect(layout.blocks.first?.layer == 1)
        #expect(layout.cells["n29"]?.row == 0)
        #expect(layout.cells["n30"]?.row == 1)
        #expect(layout.cells["n99"]?.row == 3)
        #expect(layout.width == 30 * GraphLayout.cellWidth)
    }

    @Test("JUnit text escapes markup and replaces characters XML cannot carry")
    func xmlEscaping() {
        #expect(JUnitReport.text("a<b>&\u{1}\u{FFFE}\r") == "a&lt;b&gt;&amp;\u{FFFD}\u{FFFD}&#13;")
        #expect(JUnitReport.attribute("say \"hi\"\nnow") == "say &quot;hi&quot;&#10;now")
    }

    @Test(
        "YAML scalars are plain only when they read back unchanged",
        arguments: [
            ("hello world", "hello world"), ("true", "\"true\""), ("0.8", "\"0.8\""),
            ("2026-12-07T03:31:22Z", "\"2026-12-07T03:31:22Z\""), ("a: b", "\"a: b\""), ("", "\"\""),
            ("{{tasks.a.outputs.result}}", "\"{{tasks.a.outputs.result}}\""), ("line\nbreak", "\"line\\nbreak\""),
        ])
    func yamlScalars(value: String, expected: String) {
        #expect(YAMLText.scalar(value) == expected)
    }

    @Test("durations", arguments: [("30s", 30.0), ("15m", 900.0), ("1h30m", 5_400.0), ("7d", 604_800.0), ("0s", 0.0)])
    func durations(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test("bad durations are refused", arguments: ["", "10", "5x", "h", "1h30"])
    func badDurations(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test("digest scans find exactly the 64-character hex strings")
    func digestScan() {
        let hex = String(repeating: "ab", count: 32)
        let text = "{\"digest\":\"\(hex)\",\"short\":\"abcd\",\"long\":\"\(hex)00\",\"upper\":\"\(hex.uppercased())\"}"
        #expect(RunReferences.digests(in: text) == [hex])
    }

    @Test("the progress board counts work nodes, lists running ones, and fits the width")
    func progressBoard() {
        var board = ProgressBoard()
        let start = Date(timeIntervalSince1970: 1_000)
        func node(_ id: String, _ phase: NodePhase, type: NodeType = .pod) -> NodeState {
            NodeState(
                id: id, name: "w.\(id)", displayName: id, type: type, templateName: "t", phase: phase,
                startedAt: start, sequence: 0)
        }
        board.apply(.nodeChanged(node("group", .running, type: .dag)))
        board.apply(.nodeChanged(node("a", .running)))
        board.apply(.nodeChanged(node("b", .succeeded)))
        board.apply(.nodeChanged(node("c", .failed)))
        let lines = board.render(
            now: start.addingTimeInterval(2.5), startedAt: start, style: .init(width: 60, colour: false))
        #expect(lines[1] == "Elapsed:  2.5s   ◷ 1 Running  ✔ 1 Succeeded  ✖ 1 Failed")
        #expect(lines[2] == "[" + String(repeating: "█", count: 32) + String(repeating: "░", count: 17) + "] 2/3 66%")
        #expect(lines[3] == "  ◷ a  2.5s")
        #expect(lines[4] == "✖ c Failed")
        #expect(lines.allSatisfy { $0.count < 60 })
    }
}
