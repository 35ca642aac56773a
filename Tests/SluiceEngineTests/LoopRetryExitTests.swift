import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Testing

/// Loops, retries, exit handlers, deadlines, failFast, parallelism and global outputs, against Argo's documented
/// behaviour (node names, types, phases, aggregated outputs).
@Suite("Loops, retries and exit handlers")
struct LoopRetryExitTests {
    @Test(
        "withItems maps name iterations 'name(i:k:v,...)', expose item fields, and aggregate outputs as JSON lists",
        .timeLimit(.minutes(1)))
    func withItemsAndAggregation() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: loops
            spec:
              entrypoint: main
              templates:
                - name: main
                  steps:
                    - - name: each
                        template: echo
                        arguments:
                          parameters: [{name: text, value: "{{item.os}}-{{item.n}}"}]
                        withItems:
                          - {os: linux, n: 1}
                          - {os: mac, n: 2}
                    - - name: all
                        template: echo
                        arguments:
                          parameters: [{name: text, value: "{{steps.each.outputs.parameters.out}}"}]
                - name: echo
                  inputs:
                    parameters: [{name: text}]
                  container:
                    image: alpine
                    command: [sh, -c, "printf '%s' '{{inputs.parameters.text}}' > /tmp/out"]
                  outputs:
                    parameters: [{name: out, valueFrom: {path: /tmp/out}}]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("out", of: "each(0:n:1,os:linux)") == "linux-1")
            #expect(try run.parameter("out", of: "each(1:n:2,os:mac)") == "mac-2")
            #expect(try run.inputParameters("all") == [#"text=["linux-1","mac-2"]"#])
        }
    }

    @Test(
        "withParam over another task's JSON result and withSequence with a format make a TaskGroup per task",
        .timeLimit(.minutes(1)))
    func withParamAndSequence() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: params
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    tasks:
                      - name: list
                        template: emit
                      - name: fan
                        template: echo
                        depends: list
                        arguments: {parameters: [{name: text, value: "{{item}}"}]}
                        withParam: "{{tasks.list.outputs.result}}"
                      - name: seq
                        template: echo
                        arguments: {parameters: [{name: text, value: "{{item}}"}]}
                        withSequence: {start: "3", end: "1", format: "user%02d"}
                - name: emit
                  container:
                    image: alpine
                    command: [sh, -c, "echo '[\\"a\\", \\"b\\"]'"]
                - name: echo
                  inputs:
                    parameters: [{name: text}]
                  container:
                    image: alpine
                    command: [echo, "{{inputs.parameters.text}}"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.node("fan").type == .taskGroup)
            #expect(try run.childNames("fan") == ["fan(0:a)", "fan(1:b)"])
            #expect(try run.childNames("seq") == ["seq(0:user03)", "seq(1:user02)", "seq(2:user01)"])
            #expect(try run.outputs("seq(2:user01)").result == "user01")
        }
    }

    @Test(
        "a retried template is a Retry node with one child per attempt and ends with 'No more retries left'",
        .timeLimit(.minutes(1)))
    func retriesExhausted() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: retries
            spec:
              entrypoint: flaky
              templates:
                - name: flaky
                  retryStrategy: {limit: "2"}
                  container:
                    image: alpine
                    command: [sh, -c, "echo attempt {{retries}}; exit 3"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .failed)
            let retry = try run.node("retries")
            #expect(retry.type == .retry)
            #expect(retry.phase == .failed)
            #expect(retry.message == "No more retries left")
            #expect(try run.childNames("retries") == ["retries(0)", "retries(1)", "retries(2)"])
            #expect(try run.outputs("retries(2)").result == "attempt 2")
        }
    }

    @Test(
        "retryPolicy OnError does not retry a Failed node; an expression that does not hold stops retrying",
        .timeLimit(.minutes(1)))
    func retryPolicyAndExpression() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: policy
            spec:
              entrypoint: main
              templates:
                - name: main
                  steps:
                    - - {name: on-error, template: on-error, continueOn: {failed: true}}
                      - {name: by-expression, template: by-expression, continueOn: {failed: true}}
                - name: on-error
                  retryStrategy: {limit: "3", retryPolicy: OnError}
                  container: {image: alpine, command: [sh, -c, "exit 1"]}
                - name: by-expression
                  retryStrategy: {limit: "3", expression: "asInt(lastRetry.exitCode) == 2"}
                  container: {image: alpine, command: [sh, -c, "exit {{= asInt(retries) == 0 ? 2 : 1}}"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(try run.childNames("on-error") == ["on-error(0)"])
            #expect(try run.childNames("by-expression") == ["by-expression(0)", "by-expression(1)"])
        }
    }

    @Test("the exit handler runs last and sees workflow.status and workflow.failures", .timeLimit(.minutes(1)))
    func exitHandler() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: exits
            spec:
              entrypoint: fail
              onExit: report
              templates:
                - name: fail
                  container: {image: alpine, command: [sh, -c, "exit 4"]}
                - name: report
                  container:
                    image: alpine
                    command: [sh, -c, "echo '{{workflow.status}}'; echo '{{workflow.failures}}' | grep -c fail"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .failed)
            let handler = try run.node("exits.onExit")
            #expect(handler.phase == .succeeded)
            #expect(try run.outputs("exits.onExit").result == "Failed\n1")
            let root = try run.node("exits")
            #expect((handler.startedAt ?? .distantPast) >= (root.finishedAt ?? .distantFuture))
        }
    }

    @Test("spec.activeDeadlineSeconds stops running nodes with Argo's deadline message", .timeLimit(.minutes(1)))
    func workflowDeadline() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: deadline
            spec:
              entrypoint: sleep
              activeDeadlineSeconds: 1
              templates:
                - name: sleep
                  container: {image: alpine, command: [sleep, "30.4711"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .failed)
            #expect(try run.node("deadline").message?.contains("exceeded its deadline") == true)
            #expect(run.summary.message?.contains("spec.activeDeadlineSeconds 1s") == true)
        }
    }

    /// Argo's code (assessDAGPhase) uses failFast only to decide the DAG's phase: independent branches that were
    /// already reachable still run to their end.
    @Test(
        "a failed branch fails the DAG while an independent branch still finishes, with or without failFast",
        .timeLimit(.minutes(1)), arguments: [true, false])
    func failFast(enabled: Bool) async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: fail-fast
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    failFast: \(enabled)
                    tasks:
                      - {name: broken, template: fail}
                      - {name: slow, template: nap}
                      - {name: later, template: nap, depends: slow}
                - name: fail
                  container: {image: alpine, command: [sh, -c, "exit 1"]}
                - name: nap
                  container: {image: alpine, command: [sh, -c, "sleep 0.5"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .failed)
            #expect(try run.node("slow").phase == .succeeded)
            #expect(try run.node("later").phase == .succeeded)
            #expect(try run.node("fail-fast").phase == .failed)
        }
    }

    @Test("spec.parallelism 1 runs parallel steps one after the other", .timeLimit(.minutes(1)))
    func workflowParallelism() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: one-at-a-time
            spec:
              entrypoint: main
              parallelism: 1
              templates:
                - name: main
                  steps:
                    - - {name: a, template: nap}
                      - {name: b, template: nap}
                      - {name: c, template: nap}
                - name: nap
                  container: {image: alpine, command: [sh, -c, "sleep 0.2"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            let attempts = try run.store.attempts(runID: run.run.id).sorted { $0.startedAt < $1.startedAt }
            #expect(attempts.count == 3)
            for (earlier, later) in zip(attempts, attempts.dropFirst()) {
                #expect((earlier.finishedAt ?? .distantFuture) <= later.startedAt, "attempts overlapped")
            }
        }
    }

    @Test(
        "globalName outputs become workflow.outputs.parameters for later nodes and the run's outputs",
        .timeLimit(.minutes(1)))
    func globalOutputs() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: globals
            spec:
              entrypoint: main
              templates:
                - name: main
                  steps:
                    - - {name: make, template: make}
                    - - {name: use, template: use}
                - name: make
                  container: {image: alpine, command: [sh, -c, "echo -n shared > /tmp/v"]}
                  outputs:
                    parameters: [{name: v, globalName: answer, valueFrom: {path: /tmp/v}}]
                - name: use
                  container: {image: alpine, command: [echo, "{{workflow.outputs.parameters.answer}}"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("use").result == "shared")
            #expect(run.run.outputsJSON == #"{"parameters":[{"name":"answer","value":"shared"}]}"#)
        }
    }

    @Test(
        "a node sees the latest value of a global another node changed after earlier nodes read it",
        .timeLimit(.minutes(1)))
    func globalOutputsChangeBetweenNodes() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: changing-globals
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    tasks:
                      - {name: first, template: make, arguments: {parameters: [{name: v, value: one}]}}
                      - {name: read-first, template: use, dependencies: [first]}
                      - {name: second, template: make, dependencies: [read-first],
                         arguments: {parameters: [{name: v, value: two}]}}
                      - {name: read-second, template: use, dependencies: [second]}
                - name: make
                  inputs: {parameters: [{name: v}]}
                  container: {image: alpine, command: [sh, -c, "echo -n {{inputs.parameters.v}} > /tmp/v"]}
                  outputs:
                    parameters: [{name: v, globalName: answer, valueFrom: {path: /tmp/v}}]
                - name: use
                  container: {image: alpine, command: [echo, "{{workflow.outputs.parameters.answer}}"]}
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.outputs("read-first").result == "one")
            #expect(try run.outputs("read-second").result == "two")
        }
    }
}
