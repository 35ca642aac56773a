import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceSpec
import SluiceStore
import Testing

/// Parameters through the real engine: workflow arguments, task and step arguments, outputs, `when`.
@Suite("Parameter passing", .timeLimit(.minutes(2)))
struct ParameterPassingTests {
    static let dag = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: params
        spec:
          entrypoint: main
          arguments:
            parameters:
              - name: greeting
                value: hello
              - name: coin
                value: heads
          templates:
            - name: main
              dag:
                tasks:
                  - name: produce
                    template: produce
                    arguments:
                      parameters:
                        - {name: word, value: "{{workflow.parameters.greeting}}"}
                  - name: flip
                    template: say
                    arguments:
                      parameters:
                        - {name: text, value: "{{workflow.parameters.coin}}"}
                  - name: consume
                    template: consume
                    depends: produce && flip
                    arguments:
                      parameters:
                        - {name: fromfile, value: "{{tasks.produce.outputs.parameters.word-out}}"}
                        - {name: fallback, value: "{{tasks.produce.outputs.parameters.missing}}"}
                        - {name: result, value: "{{tasks.produce.outputs.result}}"}
                        - {name: status, value: "{{tasks.produce.status}}"}
                  - name: heads-govaluate
                    template: say
                    depends: flip
                    when: "{{tasks.flip.outputs.result}} == heads"
                    arguments:
                      parameters:
                        - {name: text, value: "govaluate saw heads"}
                  - name: heads-expr
                    template: say
                    depends: flip
                    when: "{{= tasks.flip.outputs.result == 'heads'}}"
                    arguments:
                      parameters:
                        - {name: text, value: "expr saw heads"}
            - name: produce
              inputs:
                parameters:
                  - name: word
              container:
                image: alpine
                command: [sh, -c]
                args: ["printf '%s\\\\n' '{{inputs.parameters.word}}-from-file' > /tmp/word.txt; echo 'printed {{inputs.parameters.word}}'"]
              outputs:
                parameters:
                  - name: word-out
                    valueFrom:
                      path: /tmp/word.txt
                  - name: missing
                    valueFrom:
                      path: /tmp/never-written.txt
                      default: fallback-value
            - name: say
              inputs:
                parameters:
                  - name: text
              container:
                image: alpine
                command: [sh, -c, "echo '{{inputs.parameters.text}}'"]
            - name: consume
              inputs:
                parameters:
                  - name: fromfile
                  - name: fallback
                  - name: result
                  - name: status
              container:
                image: alpine
                command: [sh, -c]
                args: ["echo '{{inputs.parameters.fromfile}}|{{inputs.parameters.fallback}}|{{inputs.parameters.result}}|{{inputs.parameters.status}}'"]
        """

    @Test(
        "workflow arguments, valueFrom.path (newline trimmed), valueFrom.default, result and status reach the consumer")
    func dagParameters() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.dag, in: directory, parameters: [("greeting", "bonjour")])
            #expect(run.summary.phase == .succeeded)
            #expect(run.run.parametersJSON == #"{"coin":"heads","greeting":"bonjour"}"#)
            #expect(try run.inputParameters("produce") == ["word=bonjour"])
            #expect(try run.parameter("word-out", of: "produce") == "bonjour-from-file")
            #expect(try run.parameter("missing", of: "produce") == "fallback-value")
            #expect(try run.outputs("produce").result == "printed bonjour")
            #expect(
                try run.inputParameters("consume") == [
                    "fromfile=bonjour-from-file", "fallback=fallback-value", "result=printed bonjour",
                    "status=Succeeded",
                ])
            #expect(try run.outputs("consume").result == "bonjour-from-file|fallback-value|printed bonjour|Succeeded")
        }
    }

    @Test(
        "when, in govaluate and expr form, runs or skips the task by the upstream result",
        arguments: ["heads", "tails"])
    func whenForms(coin: String) async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.dag, in: directory, parameters: [("coin", coin)])
            #expect(
                run.summary.phase == .succeeded,
                "\(run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" })")
            #expect(try run.outputs("flip").result == coin)
            let govaluate = try run.node("heads-govaluate")
            let expr = try run.node("heads-expr")
            if coin == "heads" {
                #expect(govaluate.phase == .succeeded)
                #expect(govaluate.type == .pod)
                #expect(try run.outputs("heads-govaluate").result == "govaluate saw heads")
                #expect(expr.phase == .succeeded)
                #expect(try run.outputs("heads-expr").result == "expr saw heads")
            } else {
                #expect(govaluate.phase == .skipped)
                #expect(govaluate.type == .skipped)
                #expect(govaluate.message == "when 'tails == heads' evaluated false")
                #expect(expr.phase == .skipped)
                #expect(expr.type == .skipped)
            }
        }
    }

    @Test("steps pass step arguments, steps.X.outputs.result and steps.X.outputs.parameters.Y")
    func stepsParameters() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: step-params
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - name: gen
                            template: gen
                            arguments:
                              parameters:
                                - {name: seed, value: "41"}
                        - - name: use
                            template: use
                            arguments:
                              parameters:
                                - {name: out, value: "{{steps.gen.outputs.result}}"}
                                - {name: file, value: "{{steps.gen.outputs.parameters.next}}"}
                    - name: gen
                      inputs:
                        parameters:
                          - name: seed
                      container:
                        image: alpine
                        command: [sh, -c]
                        args: ["echo $(({{inputs.parameters.seed}} + 1)) > /tmp/next; echo stdout-{{inputs.parameters.seed}}"]
                      outputs:
                        parameters:
                          - name: next
                            valueFrom: {path: /tmp/next}
                    - name: use
                      inputs:
                        parameters:
                          - name: out
                          - name: file
                      container:
                        image: alpine
                        command: [sh, -c, "echo '{{inputs.parameters.out}} {{inputs.parameters.file}}'"]
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("next", of: "gen") == "42")
            #expect(try run.outputs("gen").result == "stdout-41")
            #expect(try run.outputs("use").result == "stdout-41 42")
        }
    }

    @Test("an input parameter outside its enum makes the node Error with a message naming value and choices")
    func inputEnumViolation() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: enum-node
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      steps:
                        - - name: pick
                            template: pick
                            arguments:
                              parameters:
                                - {name: colour, value: purple}
                    - name: pick
                      inputs:
                        parameters:
                          - name: colour
                            enum: [red, green]
                      container:
                        image: alpine
                        command: [sh, -c, "echo {{inputs.parameters.colour}}"]
                """
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .error)
            #expect(run.run.phase == .error)
            let pick = try run.node("pick")
            #expect(pick.phase == .error)
            #expect(pick.message == "parameter 'colour' value 'purple' is not one of its enum values: red, green")
            #expect(try run.store.attempts(runID: run.run.id).isEmpty)
        }
    }

    @Test("-p overrides are checked before anything is recorded: unknown names and enum violations throw")
    func workflowArgumentErrors() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: enum-wf
                spec:
                  entrypoint: main
                  arguments:
                    parameters:
                      - name: size
                        value: small
                        enum: [small, large]
                  templates:
                    - name: main
                      container:
                        image: alpine
                        command: [sh, -c, "echo {{workflow.parameters.size}}"]
                """
            let path = try EngineHarness.write(yaml, in: directory)
            let state = directory + "/state"
            let engine = WorkflowEngine()
            await #expect(throws: EngineError.unknownParameter(name: "colour", known: ["size"])) {
                _ = try await engine.run(
                    RunRequest(
                        workflowPath: path, parameters: [ParameterValue(name: "colour", value: "x")],
                        stateDirectory: state))
            }
            await #expect(
                throws: EngineError.parameterNotInEnum(name: "size", value: "huge", allowed: ["small", "large"])
            ) {
                _ = try await engine.run(
                    RunRequest(
                        workflowPath: path, parameters: [ParameterValue(name: "size", value: "huge")],
                        stateDirectory: state))
            }
            #expect(
                EngineError.unknownParameter(name: "colour", known: ["size"]).description
                    == "parameter 'colour' is not a workflow argument (known: size)")
            let summary = try await engine.run(
                RunRequest(
                    workflowPath: path, parameters: [ParameterValue(name: "size", value: "large")],
                    stateDirectory: state))
            #expect(summary.phase == .succeeded)
            let store = try Store(stateDirectory: state)
            #expect(try store.runs().map(\.name) == ["enum-wf"])
            let node = try #require(try store.nodes(runID: summary.id).first)
            let outputs = try JSONDecoder().decode(NodeOutputs.self, from: Data(try #require(node.outputsJSON).utf8))
            #expect(outputs.result == "large")
        }
    }
}
