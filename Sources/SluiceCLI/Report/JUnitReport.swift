import Foundation
import SluiceEngine

/// Renders a run as JUnit XML, the test report format GitLab, Jenkins and GitHub's test reporters read.
///
/// One `<testcase>` per node that does work (pods, skipped and suspended steps, refused nodes); Failed, Error and
/// refused nodes carry a `<failure>` with their message (a refusal names the governance check), Skipped and Omitted
/// nodes a `<skipped>`, and each node's log tail is its `<system-out>`. The shape is `docs/schemas/junit.xsd`.
enum JUnitReport {
    /// The XML document for `view`.
    static func render(_ view: RunView, hostname: String = ProcessInfo.processInfo.hostName) -> String {
        let cases = view.nodes.filter(\.isLeaf).sorted {
            ($0.startedAt ?? .distantFuture, $0.name) < ($1.startedAt ?? .distantFuture, $1.name)
        }
        let outcomes = cases.map(Outcome.init)
        let failures = outcomes.filter { if case .failure = $0 { true } else { false } }.count
        let skipped = outcomes.filter { if case .skipped = $0 { true } else { false } }.count
        let time = seconds(view.duration ?? 0)
        let counts =
            "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(time)\""
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"\(attribute(view.name))\" \(counts)>\n"
        xml += "  <testsuite name=\"\(attribute(view.name))\" \(counts)"
        if let started = view.startedAt { xml += " timestamp=\"\(timestamp(started))\"" }
        xml += " hostname=\"\(attribute(hostname))\">\n"
        xml += "    <properties>\n"
        for (name, value) in properties(of: view) {
            xml += "      <property name=\"\(attribute(name))\" value=\"\(attribute(value))\"/>\n"
        }
        xml += "    </properties>\n"
        for (node, outcome) in zip(cases, outcomes) {
            xml += testCase(node, outcome: outcome, suite: view.name)
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// How a node reads as a test result.
    enum Outcome: Equatable {
        case passed
        case failure(type: String, message: String)
        case skipped(message: String)

        init(_ node: NodeView) {
            if let refusal = node.refusals.first {
                self = .failure(type: "Refused", message: "refused by \(refusal.check): \(refusal.message)")
                return
            }
            switch node.phase {
            case "Succeeded": self = .passed
            case "Failed", "Error": self = .failure(type: node.phase, message: node.message ?? node.phase)
            case "Skipped", "Omitted": self = .skipped(message: node.message ?? node.phase)
            default: self = .skipped(message: "did not finish (\(node.phase))")
            }
        }
    }

    private static func testCase(_ node: NodeView, outcome: Outcome, suite: String) -> String {
        let classname = suite + (node.templateName.map { "." + $0 } ?? "")
        var xml = "    <testcase name=\"\(attribute(node.displayName))\" classname=\"\(attribute(classname))\""
        xml += " time=\"\(seconds(node.duration ?? 0))\""
        var body = ""
        switch outcome {
        case .passed: break
        case .failure(let type, let message):
            body += "      <failure message=\"\(attribute(message))\" type=\"\(attribute(type))\">"
            body += text(failureDetail(node, message: message)) + "</failure>\n"
        case .skipped(let message):
            body += "      <skipped message=\"\(attribute(message))\"/>\n"
        }
        if let logs = node.logs, !logs.isEmpty { body += "      <system-out>\(text(logs))</system-out>\n" }
        if body.isEmpty { return xml + "/>\n" }
        return xml + ">\n" + body + "    </testcase>\n"
    }

    /// The failure's text: the message, then every refusal with its check and input.
    private static func failureDetail(_ node: NodeView, message: String) -> String {
        var lines = [message, "node: \(node.name) (\(node.type), template \(node.templateName ?? "-"))"]
        for refusal in node.refusals.dropFirst() {
            lines.append(
                "refused by \(refusal.check)" + (refusal.input.map { " (input \($0))" } ?? "") + ": " + refusal.message)
        }
        return lines.joined(separator: "\n")
    }

    private static func properties(of view: RunView) -> [(String, String)] {
        var properties = [("sluice.run.id", view.id), ("sluice.run.phase", view.phase)]
        if let message = view.message { properties.append(("sluice.run.message", message)) }
        if let runtime = view.runtime { properties.append(("sluice.runtime", runtime)) }
        if let digest = view.workflowDigest { properties.append(("sluice.workflow.digest", digest)) }
        if let digest = view.governanceDigest { properties.append(("sluice.governance.digest", digest)) }
        if let signer = view.signer { properties.append(("sluice.signer.keyid", signer)) }
        return properties
    }

    /// Seconds with millisecond precision, as JUnit's `time` (xs:decimal).
    static func seconds(_ interval: TimeInterval) -> String {
        String(format: "%.3f", max(0, interval.isFinite ? interval : 0))
    }

    /// JUnit's `timestamp`: ISO 8601 local-less date-time (`2026-12-07T03:20:00`), UTC.
    static func timestamp(_ date: Date) -> String {
        String(ArgoTime.format(date).dropLast())  // drop the trailing Z, as Ant's schema expects no zone
    }

    /// Escapes text content; characters XML 1.0 cannot carry become U+FFFD.
    static func text(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            case "\r": result += "&#13;"
            default: result.unicodeScalars.append(isXMLCharacter(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return result
    }

    /// Escapes an attribute value (quotes and line breaks too, so they survive attribute normalisation).
    static func attribute(_ value: String) -> String {
        text(value).replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "\n", with: "&#10;")
            .replacingOccurrences(of: "\t", with: "&#9;")
    }

    private static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value >= 0x20 && value != 0xFFFE && value != 0xFFFF
    }
}
