import Foundation
import SluiceExpressions
import SluiceSpec
import Testing

/// A workflow with one step calling `echo`; `stepExtra` is added to the step, `templateExtra` to `echo`.
private func workflow(step stepExtra: String = "", template templateExtra: String = "", spec specExtra: String = "")
    -> String
{
    """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      name: limits
    spec:
      entrypoint: main
    \(specExtra)  templates:
      - name: main
        steps:
        - - name: s
            template: echo
    \(stepExtra)  - name: echo
    \(templateExtra)    container:
          image: busybox
          command: [echo, hi]

    """
}

/// Every problem of `yaml` (loading, then validation with `limits`), as printed.
private func limitProblems(_ yaml: String, limits: InputLimits = InputLimits()) -> [String] {
    do {
        let loaded = try SpecLoader.load(text: yaml, file: "w.yaml", limits: limits)
        return loaded.documents.flatMap { $0.limitProblems(limits) }.map(\.description)
    } catch {
        if case .invalid(let errors) = error { return errors.map(\.description) }
        return [error.description]
    }
}

/// Each limit of issue 16 refuses its value before anything runs, with the exact message and position.
@Suite("Limits on workflow files")
struct LimitTests {
    @Test("a file over document-bytes is refused at 1:1")
    func documentBytes() {
        var limits = InputLimits()
        limits.documentBytes = 100
        #expect(
            limitProblems(workflow(), limits: limits) == [
                "w.yaml:1:1: error: the file is 253 bytes, more than 100: raise the limit with --limit document-bytes=N"
            ])
    }

    @Test("collections nested past yaml-depth are refused where the level starts")
    func yamlDepth() {
        var limits = InputLimits()
        limits.yamlDepth = 8
        let nested =
            "x:\n" + (1...8).map { String(repeating: "  ", count: $0) + "k\($0):\n" }.joined() + "                  v\n"
        #expect(
            limitProblems(workflow() + nested, limits: limits) == [
                "w.yaml:24:17: error: collections nest deeper than 8 levels: raise the limit with --limit yaml-depth=N"
            ])
    }

    @Test("a billion-laughs file is refused at the alias that crosses the expansion budget")
    func aliasBomb() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            lines.append(
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let yaml = workflow() + lines.joined(separator: "\n") + "\n"
        #expect(
            limitProblems(yaml) == [
                "w.yaml:20:45: error: alias '*a3' (11111 nodes) expands the file past 100000 nodes: raise the limit with "
                    + "--limit alias-expansion=N"
            ])
    }

    @Test("more aliases than yaml-aliases are refused at the first one past it")
    func aliasCount() {
        var limits = InputLimits()
        limits.yamlAliases = 3
        let yaml = workflow() + "x: &x 1\ny: [*x, *x, *x, *x]\n"
        #expect(
            limitProblems(yaml, limits: limits) == [
                "w.yaml:17:17: error: more than 3 aliases, this one '*x': raise the limit with --limit yaml-aliases=N"
            ])
    }

    @Test("aliases within the budget are expanded")
    func aliasesWithinBudget() throws {
        let yaml = workflow(template: "    metadata: {annotations: &notes {a: b}, labels: *notes}\n")
        #expect(limitProblems(yaml) == [])
    }

    @Test(
        "withSequence sizes past loop-items are refused, overflow included",
        arguments: [
            (
                "count: \"2147483648\"",
                "w.yaml:13:18: error: withSequence has 2147483648 items, more than 20000: raise the "
                    + "limit with --limit loop-items=N (at spec.templates[0].steps[0][0].withSequence.count)"
            ),
            (
                "end: \"9223372036854775807\"",
                "w.yaml:13:16: error: withSequence has 9223372036854775807 items, more than "
                    + "20000: raise the limit with --limit loop-items=N (at spec.templates[0].steps[0][0].withSequence.end)"
            ),
            (
                "start: \"-9223372036854775808\"\n          end: \"9223372036854775807\"",
                "w.yaml:14:16: error: "
                    + "withSequence has 9223372036854775807 items, more than 20000: raise the limit with --limit loop-items=N "
                    + "(at spec.templates[0].steps[0][0].withSequence.end)"
            ),
            (
                "count: \"99999999999999999999\"",
                "w.yaml:13:18: error: withSequence.count must be an integer that fits 64 "
                    + "bits, not '99999999999999999999' (at spec.templates[0].steps[0][0].withSequence.count)"
            ),
        ])
    func withSequence(fields: String, expected: String) {
        let yaml = workflow(step: "        withSequence:\n          \(fields)\n")
        #expect(limitProblems(yaml) == [expected])
    }

    @Test("withItems past loop-items is refused at the list")
    func withItems() {
        var limits = InputLimits()
        limits.loopItems = 2
        let yaml = workflow(step: "        withItems: [a, b, c]\n")
        #expect(
            limitProblems(yaml, limits: limits) == [
                "w.yaml:12:20: error: withItems has 3 items, more than 2: raise the limit with --limit loop-items=N "
                    + "(at spec.templates[0].steps[0][0].withItems)"
            ])
    }

    @Test(
        "durations past duration-seconds are refused, however large",
        arguments: [
            (
                "    timeout: '99999999999999999999h'\n",
                "w.yaml:13:14: error: timeout '99999999999999999999h' is longer "
                    + "than 315360000 seconds: raise the limit with --limit duration-seconds=N (at spec.templates[1].timeout)"
            ),
            (
                "    activeDeadlineSeconds: 99999999999999999999\n",
                "w.yaml:13:28: error: activeDeadlineSeconds "
                    + "99999999999999999999 is more than 315360000: raise the limit with --limit duration-seconds=N (at "
                    + "spec.templates[1].activeDeadlineSeconds)"
            ),
            (
                "    retryStrategy: {limit: 3, backoff: {duration: 1e400s}}\n",
                "w.yaml:13:51: error: duration '1e400s' is "
                    + "not a duration such as 20 (seconds), 20s or 2m (at spec.templates[1].retryStrategy.backoff.duration)"
            ),
            (
                "    retryStrategy: {limit: 3, backoff: {duration: 1s, cap: 87601000h}}\n",
                "w.yaml:13:60: error: cap "
                    + "'87601000h' is longer than 315360000 seconds: raise the limit with --limit duration-seconds=N (at "
                    + "spec.templates[1].retryStrategy.backoff.cap)"
            ),
        ])
    func durations(field: String, expected: String) {
        #expect(limitProblems(workflow(template: field)) == [expected])
    }

    @Test("a suspend duration past the limit is refused")
    func suspendDuration() {
        let yaml = workflow().replacingOccurrences(
            of: "    container:\n      image: busybox\n      command: [echo, hi]\n",
            with: "    suspend: {duration: 100000000000m}\n")
        #expect(
            limitProblems(yaml) == [
                "w.yaml:13:25: error: duration '100000000000m' is longer than 315360000 seconds: raise the limit with "
                    + "--limit duration-seconds=N (at spec.templates[1].suspend.duration)"
            ])
    }

    @Test("retryStrategy.limit past retry-limit is refused")
    func retryLimit() {
        #expect(
            limitProblems(workflow(template: "    retryStrategy: {limit: 1000000}\n")) == [
                "w.yaml:13:28: error: retryStrategy.limit 1000000 is more than 10000: raise the limit with --limit "
                    + "retry-limit=N (at spec.templates[1].retryStrategy.limit)"
            ])
    }

    @Test(
        "a negative parallelism is an error; 0 means no limit",
        arguments: [
            (
                "  parallelism: -1\n",
                ["w.yaml:7:16: error: parallelism must be 0 (no limit) or more, not -1 (at spec.parallelism)"]
            ),
            ("  parallelism: 0\n", []),
        ])
    func parallelism(field: String, expected: [String]) {
        #expect(limitProblems(workflow(spec: field)) == expected)
    }

    @Test(
        "expressions nested past expression-depth are refused at their field",
        arguments: [
            (
                "when",
                "        when: \"\(String(repeating: "(", count: 300))1 == 1\(String(repeating: ")", count: 300))\"\n"
            ),
            (
                "expr",
                "        arguments: {parameters: [{name: p, value: \"{{=\(String(repeating: "(", count: 300))1\(String(repeating: ")", count: 300))}}\"}]}\n"
            ),
        ])
    func expressionDepth(kind: String, step: String) {
        let found = limitProblems(workflow(step: step))
        #expect(found.count == 1, "\(found)")
        let column = kind == "when" ? "12:15" : "12:51"
        let path =
            kind == "when"
            ? "spec.templates[0].steps[0][0].when"
            : "spec.templates[0].steps[0][0].arguments.parameters[0].value"
        #expect(found.first?.hasPrefix("w.yaml:\(column): error: bad expression '((((") == true)
        #expect(
            found.first?.hasSuffix(
                "nested deeper than 256 levels at offset 256 of \(kind == "when" ? 606 : 601) "
                    + "characters: raise the limit with --limit expression-depth=N (at \(path))") == true)
    }
}

/// Values embedded in messages: one line, shortened, escaped.
@Suite("Excerpts of user values in messages")
struct ExcerptTests {
    @Test("control characters, NUL and line breaks are escaped")
    func escapes() {
        #expect("a\u{0}b\nc\u{1B}[31m\td\u{202E}".excerpt() == "a\\u{0}b\\nc\\u{1B}[31m\\td\\u{202E}")
    }

    @Test("long values are cut with the count of what was left out")
    func shortens() {
        #expect(String(repeating: "x", count: 300_000).excerpt(limit: 5) == "xxxxx…(299995 more characters)")
        #expect("héllo wörld".excerpt(limit: 10) == "héllo wörl…(1 more character)")
    }

    @Test("a --limit assignment names the limit and needs a positive integer")
    func assignments() throws {
        #expect(try InputLimits().setting("loop-items=5").loopItems == 5)
        #expect(throws: LimitAssignmentError(reason: "limit 'loop-items' needs a positive integer")) {
            try InputLimits().setting("loop-items=-1")
        }
        #expect(
            throws: LimitAssignmentError(
                reason: "unknown limit 'x' (known: document-bytes, yaml-depth, "
                    + "yaml-aliases, alias-expansion, expression-depth, loop-items, retry-limit, duration-seconds, bundle-bytes, "
                    + "bundle-ratio)")
        ) {
            try InputLimits().setting("x=1")
        }
    }
}
