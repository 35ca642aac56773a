import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// Issue 15 item 1: every route by which a value reaches a node without coming straight from a signed output, as
/// rows of the attack table, through the real engine. The constraint lets `deploy` consume only what `train`
/// produced; in each row a template `evil` feeds `deploy` by the route, and the refusal names evil as the true
/// producer (or names the unsigned value). The same route fed by `train` runs, and `deploy`'s envelope records
/// train as its producer.
@Suite("Provenance of values", .timeLimit(.minutes(4)))
struct ProvenanceAttackTests {
    static let constraint = """
          governance:
            constraints:
              - name: trained-only
                appliesTo: {templates: [deploy]}
                inputs: {fromTemplates: [train]}
        """

    /// The producers and the governed consumer, shared by every route; `main` and any extra templates vary.
    static func workflow(name: String, governance: String = constraint, templates: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
          arguments:
            parameters:
              - {name: model, value: "from-the-command-line"}
        \(governance)
          templates:
        \(templates)
            - name: train
              container:
                image: alpine
                command: [sh, -c, "printf 'trained' > /tmp/model; echo '[\\"train\\"]'"]
              outputs:
                parameters:
                  - name: model
                    globalName: model
                    valueFrom: {path: /tmp/model, default: "stale"}
            - name: evil
              container:
                image: alpine
                command: [sh, -c, "printf 'evil' > /tmp/model; echo '[\\"evil\\"]'"]
              outputs:
                parameters:
                  - name: model
                    globalName: model
                    valueFrom: {path: /tmp/model, default: "stale"}
            - name: evil-fails
              container:
                image: alpine
                command: [sh, -c, "printf 'evil' > /tmp/model; exit 1"]
              outputs:
                parameters:
                  - name: model
                    valueFrom: {path: /tmp/model}
            - name: deploy
              inputs:
                parameters:
                  - name: model
                artifacts:
                  - {name: config, path: /tmp/config, optional: true}
              container:
                image: alpine
                command: [sh, -c, "echo deploying {{inputs.parameters.model}}"]
        """
    }

    /// `deploy` as a DAG task reading `value` (after `depends`).
    static func deployTask(_ value: String, depends: String) -> String {
        """
                  - name: deploy
                    template: deploy
                    depends: "\(depends)"
                    arguments:
                      parameters:
                        - {name: model, value: "\(value)"}
        """
    }

    // MARK: - Routes (PRODUCER is evil or train)

    enum Route: String, CaseIterable {
        case stepsOutput, dagExpressionOutput, loopAggregate, globalName, rawArtifact, withParam, expressionIndex,
            nestedInput
    }

    static func templates(_ route: Route, producer: String) -> String {
        switch route {
        case .stepsOutput:
            return """
                    - name: main
                      dag:
                        tasks:
                          - {name: w, template: wrap}
                \(deployTask("{{tasks.w.outputs.parameters.model}}", depends: "w"))
                    - name: wrap
                      steps:
                        - - {name: e, template: \(producer)}
                      outputs:
                        parameters:
                          - name: model
                            valueFrom: {parameter: "{{steps.e.outputs.parameters.model}}"}
                """
        case .dagExpressionOutput:
            return """
                    - name: main
                      dag:
                        tasks:
                          - {name: w, template: wrap}
                \(deployTask("{{tasks.w.outputs.parameters.model}}", depends: "w"))
                    - name: wrap
                      dag:
                        tasks:
                          - {name: e, template: \(producer)}
                      outputs:
                        parameters:
                          - name: model
                            valueFrom: {expression: "tasks.e.outputs.parameters.model + '-v1'"}
                """
        case .loopAggregate:
            return """
                    - name: main
                      dag:
                        tasks:
                          - {name: e, template: \(producer), withItems: [1]}
                \(deployTask("{{tasks.e.outputs.parameters.model}}", depends: "e"))
                """
        case .globalName:
            return """
                    - name: main
                      steps:
                        - - {name: e, template: \(producer)}
                        - - name: deploy
                            template: deploy
                            arguments:
                              parameters:
                                - {name: model, value: "{{workflow.outputs.parameters.model}}"}
                """
        case .rawArtifact:
            return """
                    - name: main
                      dag:
                        tasks:
                          - {name: e, template: \(producer)}
                          - name: deploy
                            template: deploy
                            depends: e
                            arguments:
                              parameters:
                                - {name: model, value: "fixed"}
                              artifacts:
                                - name: config
                                  raw: {data: "{{tasks.e.outputs.parameters.model}}"}
                """
        case .withParam:
            return """
                    - name: main
                      dag:
                        tasks:
                          - {name: e, template: \(producer)}
                          - name: deploy
                            template: deploy
                            depends: e
                            withParam: "{{tasks.e.outputs.result}}"
                            arguments:
                              parameters:
                                - {name: model, value: "{{item}}"}
                """
        case .expressionIndex:
            return """
                    - name: main
                      dag:
                        tasks:
                          - {name: \(producer), template: \(producer)}
                \(deployTask("{{=tasks[lower('\(producer.uppercased())')].outputs.parameters.model}}", depends: producer))
                """
        case .nestedInput:
            return """
                    - name: main
                      dag:
                        tasks:
                          - {name: e, template: \(producer)}
                          - name: r
                            template: relay
                            depends: e
                            arguments:
                              parameters:
                                - {name: model, value: "{{tasks.e.outputs.parameters.model}}"}
                    - name: relay
                      inputs:
                        parameters:
                          - name: model
                      steps:
                        - - name: deploy
                            template: deploy
                            arguments:
                              parameters:
                                - {name: model, value: "{{inputs.parameters.model}}"}
                """
        }
    }

    /// The refused node, the input the refusal names, and the producer's display name.
    static func expected(_ route: Route) -> (node: String, input: String, producer: String) {
        switch route {
        case .stepsOutput: ("deploy", "e.outputs/parameters/model", "e")
        case .dagExpressionOutput: ("deploy", "e.outputs/parameters/model", "e")
        case .loopAggregate: ("deploy", "e(0:1).outputs/parameters/model", "e(0:1)")
        case .globalName: ("deploy", "e.outputs/parameters/model", "e")
        case .rawArtifact: ("deploy", "e.outputs/parameters/model", "e")
        case .withParam: ("deploy(0:evil)", "e.outputs/result", "e")
        case .expressionIndex: ("deploy", "evil.outputs/parameters/model", "evil")
        case .nestedInput: ("deploy", "e.outputs/parameters/model", "e")
        }
    }

    @Test("each route from evil to deploy is refused, naming evil", arguments: Route.allCases)
    func evilRefused(_ route: Route) async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(
                name: "p-\(route.rawValue.lowercased())",
                templates: Self.templates(route, producer: "evil"))
            let run = try await AttackTableTests.run(yaml, in: directory)
            let (node, input, producer) = Self.expected(route)
            try AttackTableTests.expectRefusal(
                run, row: "issue 15.1 \(route.rawValue)", node: node, input: input, check: "constraint 'trained-only'",
                reason: "it comes from template 'evil', not one of train (producer '\(producer)')")
            try Self.expectBundleVerifies(run, in: directory)
        }
    }

    @Test("each route from train to deploy runs, and deploy's envelope records train", arguments: Route.allCases)
    func trainAdmitted(_ route: Route) async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.workflow(
                name: "p-ok-\(route.rawValue.lowercased())",
                templates: Self.templates(route, producer: "train"))
            let run = try await AttackTableTests.run(yaml, in: directory)
            let nodes = run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" }
            #expect(run.summary.phase == .succeeded, "\(nodes)")
            let deploy = try #require(run.nodes.first { $0.templateName == "deploy" && $0.type == .pod })
            let predicate = try Self.predicate(of: deploy, in: run)
            let producers = predicate.inputs.compactMap(\.producerNode)
            let trainIDs = Set(run.nodes.filter { $0.templateName == "train" && $0.type == .pod }.map(\.id))
            #expect(!producers.isEmpty && producers.allSatisfy(trainIDs.contains), "\(predicate.inputs)")
            #expect(predicate.chainDepth == 2)
            if route == .stepsOutput || route == .dagExpressionOutput {
                // The wrapping template's output is the engine's own signed record, linked to train's envelope.
                let wrap = try run.node("w")
                let computed = try Self.predicate(of: wrap, in: run)
                #expect(computed.producer.runtime == "engine")
                #expect(computed.inputs.map(\.name) == ["outputs/parameters/model"])
                #expect(computed.inputs.compactMap(\.producerNode).allSatisfy(trainIDs.contains))
                #expect(computed.chainDepth == 2)
            }
            let findings = try RunVerifier(store: run.store, stateDirectory: run.stateDirectory).verify(run: run.run)
            #expect(findings.filter { !$0.ok }.map(\.detail) == [])
            try Self.expectBundleVerifies(run, in: directory)
        }
    }

    // MARK: - Helpers

    static func predicate(of node: NodeRecord, in run: RecordedRun) throws -> LineagePredicate {
        let digest = try #require(node.envelopeDigest)
        let record = try #require(try run.store.envelope(payloadDigest: digest))
        let envelope = try Envelope(jsonBytes: [UInt8](record.envelopeJSON))
        return try LineagePredicate(json: try Statement(payloadBytes: envelope.payload).predicate)
    }

    /// Exports the run and verifies the bundle offline: the recorded lineage passes the same constraints.
    static func expectBundleVerifies(
        _ run: RecordedRun, in directory: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let bundle = directory + "/bundle"
        _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(run: run.run, to: bundle)
        let report = try BundleVerifier().verify(bundleAt: bundle)
        #expect(report.failures.map(\.detail) == [], sourceLocation: sourceLocation)
    }
}

/// The routes whose value has no signed producer, the outputs of a Failed node, and `require` over unsigned
/// inputs.
extension ProvenanceAttackTests {
    @Test("outputs of a Failed node: signed, so the constraint sees evil-fails")
    func failedNodeOutputs() async throws {
        try await EngineHarness.withDirectory { directory in
            let templates = """
                    - name: main
                      dag:
                        tasks:
                          - {name: e, template: evil-fails}
                \(Self.deployTask("{{tasks.e.outputs.parameters.model}}", depends: "e.Failed"))
                """
            let run = try await AttackTableTests.run(
                Self.workflow(name: "p-failed", templates: templates), in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "issue 15.1 outputs of a Failed node", node: "deploy", input: "e.outputs/parameters/model",
                check: "constraint 'trained-only'",
                reason: "it comes from template 'evil-fails', not one of train (producer 'e')")
            #expect(try run.node("e").phase == .failed)
            try Self.expectBundleVerifies(run, in: directory)
        }
    }

    @Test("the default of a skipped node's output is an unsigned value, refused by the inputs rule")
    func skippedDefault() async throws {
        try await EngineHarness.withDirectory { directory in
            let templates = """
                    - name: main
                      dag:
                        tasks:
                          - {name: e, template: evil, when: "false"}
                \(Self.deployTask("{{tasks.e.outputs.parameters.model}}", depends: "e"))
                """
            let run = try await AttackTableTests.run(
                Self.workflow(name: "p-default", templates: templates), in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "issue 15.1 default of a skipped node", node: "deploy", input: "model",
                check: "constraint 'trained-only'",
                reason: "it is the default of 'e.model' (its node did not run), which no node signed; the constraint "
                    + "admits no unsigned values (inputs.fromParameters)")
        }
    }

    @Test("a workflow argument is an unsigned value: refused, unless inputs.fromParameters names it")
    func workflowArgument() async throws {
        let templates = """
                - name: main
                  dag:
                    tasks:
                      - name: deploy
                        template: deploy
                        arguments:
                          parameters:
                            - {name: model, value: "{{workflow.parameters.model}}"}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await AttackTableTests.run(
                Self.workflow(name: "p-argument", templates: templates), in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "issue 15.1 workflow argument", node: "deploy", input: "model",
                check: "constraint 'trained-only'",
                reason: "it is workflow argument 'model', which no node signed; the constraint admits no unsigned "
                    + "values (inputs.fromParameters)")
        }
        try await EngineHarness.withDirectory { directory in
            let governance = Self.constraint.replacingOccurrences(
                of: "fromTemplates: [train]}", with: "fromTemplates: [train], fromParameters: [model]}")
            let run = try await AttackTableTests.run(
                Self.workflow(name: "p-argument-ok", governance: governance, templates: templates), in: directory)
            #expect(run.summary.phase == .succeeded, "\(run.nodes.map { "\($0.displayName): \($0.message ?? "")" })")
            let predicate = try Self.predicate(of: try run.node("deploy"), in: run)
            #expect(predicate.inputs.map(\.source) == [.init(kind: "argument", name: "model")])
            #expect(
                predicate.inputs.map(\.digest) == [["sha256": Digest.sha256(Array("from-the-command-line".utf8)).hex]])
            try Self.expectBundleVerifies(run, in: directory)
        }
    }

    @Test("require sees unsigned values as inputs: all(inputs, …) is not vacuously true over a literal")
    func requireOverLiteral() async throws {
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: produced-only
                        appliesTo: {templates: [deploy]}
                        require: "all(inputs, {.source == 'output'})"
                """
            let templates = """
                    - name: main
                      dag:
                        tasks:
                          - name: deploy
                            template: deploy
                            arguments:
                              parameters:
                                - {name: model, value: "typed-in"}
                """
            let run = try await AttackTableTests.run(
                Self.workflow(name: "p-literal", governance: governance, templates: templates), in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "issue 15.1 literal under require", node: "deploy", input: Refusal.nodeLevel,
                check: "constraint 'produced-only'", reason: "require \"all(inputs, {.source == 'output'})\" is false")
        }
    }

    @Test("a value supplied on resume is an unsigned value, refused by the inputs rule")
    func resumeValue() async throws {
        try await EngineHarness.withDirectory { directory in
            let templates = """
                    - name: main
                      steps:
                        - - {name: approve, template: approve}
                        - - name: deploy
                            template: deploy
                            arguments:
                              parameters:
                                - {name: model, value: "{{steps.approve.outputs.parameters.model}}"}
                    - name: approve
                      suspend: {}
                      outputs:
                        parameters:
                          - name: model
                            valueFrom:
                              supplied: {}
                """
            let log = NodeEventLog()
            async let finished = AttackTableTests.run(
                Self.workflow(name: "p-resume", templates: templates), in: directory, observer: log)
            let suspended = await log.wait { $0.displayName == "approve" && $0.phase == .running }
            #expect(suspended)
            try Data(#"{"model": "evil"}"#.utf8).write(
                to: URL(fileURLWithPath: directory + "/state/runs/p-resume/resume"))
            let run = try await finished
            try AttackTableTests.expectRefusal(
                run, row: "issue 15.1 value supplied on resume", node: "deploy", input: "model",
                check: "constraint 'trained-only'",
                reason: "it was supplied on resume for 'approve.model', which no node signed; the constraint admits "
                    + "no unsigned values (inputs.fromParameters)")
        }
    }
}

/// Issue 9 item 6: values that decide control flow are verified against their producers' envelopes before they
/// are used; on resume they come back from `sluice.db`, where an attacker may have changed them.
extension ProvenanceAttackTests {
    static func gateWorkflow(name: String, decision: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: check, template: check}
                  - name: register
                    template: register
                    depends: check
        \(decision)
            - name: check
              container:
                image: alpine
                command: [sh, -c, "printf 0.5 > /tmp/accuracy; echo '[1]'"]
              outputs:
                parameters:
                  - name: accuracy
                    valueFrom: {path: /tmp/accuracy}
            - name: register
              container:
                image: alpine
                command: [echo, registered]
        """
    }

    @Test("a when input altered in sluice.db, then the run resumed: refused, naming the value and its producer")
    func tamperedWhenOnResume() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.gateWorkflow(
                name: "p-when", decision: "            when: \"{{tasks.check.outputs.parameters.accuracy}} > 0.9\"")
            let first = try await AttackTableTests.run(yaml, in: directory, stopAfter: "check")
            #expect(try first.node("check").phase == .succeeded)
            let changed = try StoreTampering.execute(
                stateDirectory: first.stateDirectory,
                sql: "UPDATE nodes SET outputs_json = replace(outputs_json, '\"0.5\"', '\"0.95\"') "
                    + "WHERE run_id = ? AND display_name = 'check'",
                arguments: [first.run.id])
            #expect(changed == 1)
            let resumed = try await AttackTableTests.run(yaml, in: directory, resume: first.run.id)
            try AttackTableTests.expectRefusal(
                resumed, row: "issue 9.6 when input altered, then resumed", node: "register",
                input: "when: check.outputs/parameters/accuracy", check: "subject-digest",
                reason: "does not match the parameter's " + Digest.sha256(Array("0.95".utf8)).description)
        }
    }

    @Test("a withParam input altered in sluice.db, then the run resumed: refused")
    func tamperedWithParamOnResume() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.gateWorkflow(
                name: "p-fanout", decision: "            withParam: \"{{tasks.check.outputs.result}}\"")
            let first = try await AttackTableTests.run(yaml, in: directory, stopAfter: "check")
            let changed = try StoreTampering.execute(
                stateDirectory: first.stateDirectory,
                sql: "UPDATE nodes SET outputs_json = replace(outputs_json, '\"[1]\"', '\"[1,2,3]\"') "
                    + "WHERE run_id = ? AND display_name = 'check'",
                arguments: [first.run.id])
            #expect(changed == 1)
            let resumed = try await AttackTableTests.run(yaml, in: directory, resume: first.run.id)
            try AttackTableTests.expectRefusal(
                resumed, row: "issue 9.6 withParam input altered, then resumed", node: "register",
                input: "withParam: check.outputs/result", check: "subject-digest",
                reason: "does not match the value's " + Digest.sha256(Array("[1,2,3]".utf8)).description)
        }
    }

    @Test("an untouched when input decides as before, live and on resume")
    func untouchedWhen() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.gateWorkflow(
                name: "p-when-ok", decision: "            when: \"{{tasks.check.outputs.parameters.accuracy}} > 0.9\"")
            let run = try await AttackTableTests.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.node("register").phase == .skipped)
            #expect(try run.store.denials(runID: run.run.id).isEmpty)
        }
    }
}

/// A Failed pod's outputs are signed (its predicate says so): a phase edited to Succeeded in `sluice.db` does not
/// make it reusable on resume.
extension ProvenanceAttackTests {
    @Test("a Failed node edited to Succeeded in sluice.db, then the run resumed: not reused, refused")
    func failedEditedToSucceeded() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: p-phase
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      dag:
                        tasks:
                          - {name: gate, template: gate}
                          - {name: release, template: release, depends: gate}
                    - name: gate
                      container:
                        image: alpine
                        command: [sh, -c, "echo tests failed; exit 1"]
                    - name: release
                      container:
                        image: alpine
                        command: [echo, released]
                """
            let first = try await AttackTableTests.run(yaml, in: directory)
            let gate = try first.node("gate")
            #expect(gate.phase == .failed)
            let predicate = try Self.predicate(of: gate, in: first)
            #expect(predicate.outcome == "Failed")
            let changed = try StoreTampering.execute(
                stateDirectory: first.stateDirectory,
                sql: "UPDATE nodes SET phase = 'Succeeded', message = NULL WHERE run_id = ? AND display_name = 'gate'",
                arguments: [first.run.id])
            #expect(changed == 1)
            let resumed = try await AttackTableTests.run(yaml, in: directory, resume: first.run.id)
            #expect(resumed.summary.refused)
            let refused = try resumed.node("gate")
            let message = refused.message ?? ""
            #expect(refused.phase == .error)
            #expect(
                message == "node 'gate' refused: outcome: it cannot be reused on resume: its envelope records it "
                    + "as Failed, not Succeeded")
            print("attack-table | issue 9.6 Failed node edited to Succeeded, then resumed | \(message)")
            #expect(try resumed.store.denials(runID: resumed.run.id).map(\.check) == ["outcome"])
            #expect(try resumed.node("release").phase == .omitted)
        }
    }
}

/// `inputs.fromParameters` is validated by lint, with the position of each entry that names nothing.
extension ProvenanceAttackTests {
    @Test("lint names fromParameters entries that match no argument and no step or task output, with positions")
    func fromParametersLint() throws {
        let directory = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-lint")
        defer { StoreSupport.removeStateDirectory(directory) }
        let governance = Self.constraint.replacingOccurrences(
            of: "fromTemplates: [train]}",
            with: "fromTemplates: [train], fromParameters: [model, nope, e.model, ghost.model]}")
        let yaml = Self.workflow(
            name: "p-lint", governance: governance,
            templates: Self.templates(.stepsOutput, producer: "train"))
        let path = try EngineHarness.write(yaml, in: directory)
        let document = try #require(try SpecLoader.load(path: path).documents.first)
        let problems = RunGovernance.problems(of: document)
        #expect(
            problems == [
                "\(path):14:66: error: constraint 'trained-only': inputs.fromParameters names 'nope', which is not a "
                    + "parameter in spec.arguments",
                "\(path):14:81: error: constraint 'trained-only': inputs.fromParameters names 'ghost.model', but no step "
                    + "or task 'ghost' has an output parameter 'model'",
            ])
        for problem in problems { print("attack-table | fromParameters lint | \(problem)") }
    }
}
