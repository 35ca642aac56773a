import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import Testing

/// `memoize`: entries in SQLite keyed by cache name and rendered key, reused with their verified envelope.
@Suite("Memoization", .timeLimit(.minutes(2)))
struct MemoizeTests {
    static func workflow(maxAge: String = "1h") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: memoized-
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: produce
                    template: produce
                    arguments:
                      parameters: [{name: who, value: world}]
                - - name: consume
                    template: consume
                    arguments:
                      parameters: [{name: text, value: "{{steps.produce.outputs.parameters.hello}}"}]
            - name: produce
              inputs:
                parameters: [{name: who}]
              memoize:
                key: "greeting-{{inputs.parameters.who}}"
                maxAge: "\(maxAge)"
                cache:
                  configMap:
                    name: cache-config
              container:
                image: alpine
                command: [sh, -c, "echo {{inputs.parameters.who}} > /tmp/hello.txt"]
              outputs:
                parameters:
                  - name: hello
                    valueFrom:
                      path: /tmp/hello.txt
            - name: consume
              inputs:
                parameters: [{name: text}]
              container:
                image: alpine
                command: [echo, "got {{inputs.parameters.text}}"]
        """
    }

    /// Runs the same file twice in one state directory.
    static func runTwice(_ yaml: String, in directory: String) async throws -> (RecordedRun, RecordedRun) {
        let first = try await EngineHarness.run(yaml, in: directory)
        let second = try await EngineHarness.run(yaml, in: directory)
        return (first, second)
    }

    @Test("a second run within maxAge reuses the outputs without running the pod; its envelope names the first one")
    func hitAcrossRuns() async throws {
        try await EngineHarness.withDirectory { directory in
            let (first, second) = try await Self.runTwice(Self.workflow(), in: directory)
            #expect(first.summary.phase == .succeeded)
            #expect(second.summary.phase == .succeeded)
            let miss = try first.node("produce")
            #expect(miss.message == "Memoization miss (cache 'cache-config', key 'greeting-world'): outputs saved")
            let firstEnvelope = try #require(miss.envelopeDigest)

            let hit = try second.node("produce")
            #expect(hit.phase == .succeeded)
            #expect(hit.type == .pod)
            #expect(
                hit.message
                    == "Memoization hit (cache 'cache-config', key 'greeting-world'): reused the outputs of 'produce' "
                    + "from run '\(first.run.name)' (envelope sha256:\(firstEnvelope))")
            #expect(try second.parameter("hello", of: "produce") == "world")
            #expect(try second.inputParameters("consume") == ["text=world"])
            #expect(try second.node("consume").phase == .succeeded)
            // The pod did not run again: only the consumer has an attempt.
            let attempts = try second.store.attempts(runID: second.run.id)
            #expect(attempts.map(\.nodeID) == [try second.node("consume").id])

            // Its own envelope, in this run, lists the earlier envelope as the source of its outputs.
            let envelopeDigest = try #require(hit.envelopeDigest)
            #expect(envelopeDigest != firstEnvelope)
            let record = try #require(try second.store.envelope(payloadDigest: envelopeDigest))
            #expect(record.runID == second.run.id)
            let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
            #expect(statement.subjects.map(\.name).sorted() == ["outputs/parameters/hello", "outputs/result"])
            let predicate = try LineagePredicate(json: statement.predicate)
            #expect(
                predicate.inputs.compactMap(\.subjectName).sorted() == ["outputs/parameters/hello", "outputs/result"])
            #expect(Set(predicate.inputs.map(\.envelopePayloadDigest?.hex)) == [firstEnvelope])
            #expect(Set(predicate.inputs.map(\.producerNode)) == [miss.id])

            // `sluice verify` accepts the run.
            let findings = try RunVerifier(store: second.store, stateDirectory: second.stateDirectory)
                .verify(run: second.run)
            #expect(findings.allSatisfy { $0.ok }, "\(findings)")
        }
    }

    /// Regression: entries were looked up by cache name and key alone, so a run under other governance reused
    /// outputs produced under it.
    @Test("an entry is filed under the governance digest: a run under other governance misses and runs the node")
    func governanceScopesEntries() async throws {
        try await EngineHarness.withDirectory { directory in
            let first = try await EngineHarness.run(Self.workflow(), in: directory)
            #expect(first.summary.phase == .succeeded)
            let constraints = """
                  governance:
                    constraints:
                      - {name: shallow, maxChainDepth: 10}
                """
            let governed = Self.workflow().replacingOccurrences(
                of: "  entrypoint: main\n",
                with: "  entrypoint: main\n" + constraints + "\n")
            let second = try await EngineHarness.run(governed, in: directory)
            #expect(second.summary.phase == .succeeded)
            #expect(
                try second.node("produce").message
                    == "Memoization miss (cache 'cache-config', key 'greeting-world'): outputs saved")
            #expect(try second.store.memoizations(cacheName: "cache-config").count == 2)
            let third = try await EngineHarness.run(governed, in: directory)
            #expect(try third.node("produce").message?.hasPrefix("Memoization hit") == true)
        }
    }

    @Test("sluice get -o json shows Argo's memoizationStatus for hits and saved misses")
    func memoizationStatusInJSON() async throws {
        try await EngineHarness.withDirectory { directory in
            let (first, second) = try await Self.runTwice(Self.workflow(), in: directory)
            for (run, hit) in [(first, false), (second, true)] {
                let object = ArgoWorkflow(run: run.run, nodes: run.nodes).jsonObject()
                let status = try #require(object["status"] as? [String: Any])
                let nodes = try #require(status["nodes"] as? [String: Any])
                let produce = try #require(nodes[try run.node("produce").id] as? [String: Any])
                let memoization = try #require(produce["memoizationStatus"] as? [String: Any])
                #expect(memoization["hit"] as? Bool == hit)
                #expect(memoization["key"] as? String == "greeting-world")
                #expect(memoization["cacheName"] as? String == "cache-config")
                let consume = try #require(nodes[try run.node("consume").id] as? [String: Any])
                #expect(consume["memoizationStatus"] == nil)
            }
        }
    }

    @Test("an entry older than maxAge is not used: the node runs again and saves a new entry")
    func expiredEntry() async throws {
        try await EngineHarness.withDirectory { directory in
            let (_, second) = try await Self.runTwice(Self.workflow(maxAge: "0s"), in: directory)
            let node = try second.node("produce")
            #expect(node.message == "Memoization miss (cache 'cache-config', key 'greeting-world'): outputs saved")
            let attempts = try second.store.attempts(runID: second.run.id)
            #expect(attempts.count == 2)
            let entry = try #require(try second.store.memoizations(cacheName: "cache-config").first)
            #expect(entry.key.hasPrefix("greeting-world (template produce sha256:"))
            #expect(entry.runID == second.run.id)
        }
    }

    @Test("a hit within the same run reuses the earlier node's own envelope, and consumers pass the gate")
    func hitWithinOneRun() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: memo-same-run
            spec:
              entrypoint: main
              templates:
                - name: main
                  steps:
                    - - name: one
                        template: produce
                    - - name: two
                        template: produce
                    - - name: use
                        template: consume
                        arguments:
                          parameters: [{name: text, value: "{{steps.two.outputs.parameters.out}}"}]
                - name: produce
                  memoize:
                    key: fixed
                    cache: {configMap: {name: same-run}}
                  container:
                    image: alpine
                    command: [sh, -c, "echo 42 > /tmp/out"]
                  outputs:
                    parameters:
                      - name: out
                        valueFrom: {path: /tmp/out}
                - name: consume
                  inputs:
                    parameters: [{name: text}]
                  container:
                    image: alpine
                    command: [echo, "{{inputs.parameters.text}}"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            let one = try run.node("one")
            let two = try run.node("two")
            #expect(
                two.message
                    == "Memoization hit (cache 'same-run', key 'fixed'): reused the outputs of 'one' from this run "
                    + "(envelope sha256:\(try #require(one.envelopeDigest)))")
            #expect(two.envelopeDigest == one.envelopeDigest)
            #expect(try run.parameter("out", of: "two") == "42")
            #expect(try run.node("use").phase == .succeeded)
            #expect(try run.inputParameters("use") == ["text=42"])
        }
    }

    @Test("a cache entry whose outputs no longer match its envelope is refused by the gate (exit code 3 path)")
    func tamperedEntryIsRefused() async throws {
        try await EngineHarness.withDirectory { directory in
            let first = try await EngineHarness.run(Self.workflow(), in: directory)
            var entry = try #require(try first.store.memoizations(cacheName: "cache-config").first)
            entry.outputsJSON = entry.outputsJSON.replacingOccurrences(of: "\"world\"", with: "\"mallory\"")
            try first.store.saveMemoization(entry)

            let second = try await EngineHarness.run(Self.workflow(), in: directory)
            #expect(second.summary.phase == .error)
            #expect(second.summary.refused)
            let node = try second.node("produce")
            #expect(node.phase == .error)
            let message = try #require(node.message)
            #expect(
                message.hasPrefix(
                    "memoized outputs refused: node 'produce' refused: input 'produce.outputs/parameters/hello': "))
            let denials = try second.store.denials(runID: second.run.id)
            #expect(denials.map(\.check) == ["subject-digest"])
            #expect(try second.store.attempts(runID: second.run.id).isEmpty)
        }
    }

    @Test("a steps template can be memoized: a hit reuses its outputs without running its children")
    func memoizedSteps() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: memo-steps
            spec:
              entrypoint: main
              templates:
                - name: main
                  steps:
                    - - name: first
                        template: wrapper
                    - - name: again
                        template: wrapper
                - name: wrapper
                  memoize:
                    key: wrapped
                    maxAge: "10m"
                    cache: {configMap: {name: steps-cache}}
                  steps:
                    - - name: inner
                        template: say
                  outputs:
                    parameters:
                      - name: said
                        valueFrom: {parameter: "{{steps.inner.outputs.result}}"}
                - name: say
                  script:
                    image: alpine
                    command: [sh]
                    source: echo hi
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("said", of: "first") == "hi")
            #expect(try run.parameter("said", of: "again") == "hi")
            #expect(try run.node("again").type == .steps)
            #expect(try run.children("again").isEmpty)
            #expect(run.nodes.filter { $0.displayName == "inner" }.count == 1)
            // The steps template's outputs are the engine's signed record, so the hit names that envelope.
            let first = try #require(try run.node("first").envelopeDigest)
            #expect(
                try run.node("again").message
                    == "Memoization hit (cache 'steps-cache', key 'wrapped'): reused the outputs of 'first' from this "
                    + "run (envelope sha256:\(first))")
        }
    }

    @Test("MemoizationStatus reads the status back from a node message, and nothing from other messages")
    func statusFromMessage() {
        let hit = MemoizationStatus(message: "Memoization hit (cache 'c', key 'k-1'): reused the outputs of 'x'")
        #expect(hit == MemoizationStatus(message: "Memoization hit (cache 'c', key 'k-1'): x"))
        #expect(hit?.hit == true)
        #expect(hit?.key == "k-1")
        #expect(hit?.cacheName == "c")
        let miss = MemoizationStatus(message: "Memoization miss (cache 'default', key 'a b'): outputs saved")
        #expect(miss?.hit == false)
        #expect(miss?.key == "a b")
        #expect(MemoizationStatus(message: "Error (exit code 1)") == nil)
        #expect(MemoizationStatus(message: nil) == nil)
    }
}
