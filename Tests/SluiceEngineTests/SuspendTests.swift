import Foundation
import SluiceEngine
import SluiceSpec
import SluiceStore
import Synchronization
import Testing

/// Collects the engine's node transitions so a test can wait for one while the run goes on.
final class NodeEventLog: RunObserver, Sendable {
    private let events = Mutex<[NodeState]>([])

    func runDidChange(_ event: RunEvent) {
        if case .nodeChanged(let node) = event { events.withLock { $0.append(node) } }
    }

    /// Every node transition seen so far, in order.
    var nodes: [NodeState] { events.withLock { $0 } }

    /// Waits (polling every 20 ms, at most 30 s) until a transition satisfies `condition`; false if none did.
    func wait(for condition: (NodeState) -> Bool) async -> Bool {
        for _ in 0..<1500 {
            if nodes.contains(where: condition) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

/// `suspend` templates: timed waits, waits released by the run's resume file, and supplied outputs.
@Suite("Suspend templates", .timeLimit(.minutes(2)))
struct SuspendTests {
    static let timed = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: suspend-timed
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: seconds
                    template: wait-seconds
                - - name: go-duration
                    template: wait-go
                - - name: after
                    template: echo
            - name: wait-seconds
              suspend:
                duration: "1"
            - name: wait-go
              suspend:
                duration: "200ms"
            - name: echo
              container:
                image: alpine
                command: [echo, done]
        """

    @Test("a suspend with a duration in seconds or Go syntax is a Suspend node that Succeeds, then the next step runs")
    func timedSuspend() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(Self.timed, in: directory)
            #expect(run.summary.phase == .succeeded)
            for name in ["seconds", "go-duration"] {
                let node = try run.node(name)
                #expect(node.type == .suspend)
                #expect(node.phase == .succeeded)
                #expect(node.message == nil)
                #expect(node.outputsJSON == nil)
            }
            #expect(try run.node("after").phase == .succeeded)
            let suspendEnd = try #require(try run.node("go-duration").finishedAt)
            #expect(try #require(try run.node("after").startedAt) >= suspendEnd)
        }
    }

    static let approval = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: suspend-approval
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: approve
                    template: approve
                - - name: release
                    template: print
                    arguments:
                      parameters:
                        - {name: message, value: "{{steps.approve.outputs.parameters.message}}"}
                        - {name: answer, value: "{{steps.approve.outputs.parameters.answer}}"}
            - name: approve
              suspend: {}
              outputs:
                parameters:
                  - name: message
                    valueFrom:
                      supplied: {}
                  - name: answer
                    valueFrom:
                      default: "no"
                      supplied: {}
            - name: print
              inputs:
                parameters:
                  - name: message
                  - name: answer
              container:
                image: alpine
                command: [echo, "{{inputs.parameters.message}} {{inputs.parameters.answer}}"]
        """

    /// Runs `approval`, waits until `approve` is suspended, writes `resume` as the run's resume file, and returns the
    /// finished run with the node events.
    static func runApproval(resume: String, in directory: String) async throws -> (RecordedRun, NodeEventLog) {
        let log = NodeEventLog()
        async let finished = EngineHarness.run(Self.approval, in: directory, observer: log)
        let suspended = await log.wait { $0.displayName == "approve" && $0.type == .suspend && $0.phase == .running }
        #expect(suspended, "the suspend node never reported Running")
        let resumeFile = directory + "/state/runs/suspend-approval/resume"
        try Data(resume.utf8).write(to: URL(fileURLWithPath: resumeFile))
        let run = try await finished
        #expect(!FileManager.default.fileExists(atPath: resumeFile), "the resume file was not consumed")
        return (run, log)
    }

    @Test("an indefinite suspend stays Running until the resume file appears; its JSON supplies outputs")
    func resumeWithSuppliedValues() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, log) = try await Self.runApproval(
                resume: #"{"message": "hello", "answer": "yes"}"#, in: directory)
            #expect(run.summary.phase == .succeeded)
            let waiting = log.nodes.filter { $0.displayName == "approve" && $0.phase == .running }.compactMap(\.message)
            #expect(waiting == ["Suspended until 'sluice resume suspend-approval'"])
            let approve = try run.node("approve")
            #expect(approve.type == .suspend)
            #expect(approve.phase == .succeeded)
            #expect(try run.parameter("message", of: "approve") == "hello")
            #expect(try run.parameter("answer", of: "approve") == "yes")
            #expect(try run.inputParameters("release") == ["message=hello", "answer=yes"])
        }
    }

    @Test("an output nobody supplied takes valueFrom.default; one without a default fails the suspend node")
    func defaultsAndMissingValues() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, _) = try await Self.runApproval(resume: #"{"message": "hi"}"#, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.parameter("answer", of: "approve") == "no")
            #expect(try run.inputParameters("release") == ["message=hi", "answer=no"])
        }
        try await EngineHarness.withDirectory { directory in
            let (run, _) = try await Self.runApproval(resume: "", in: directory)
            #expect(run.summary.phase == .error)
            let approve = try run.node("approve")
            #expect(approve.phase == .error)
            #expect(
                approve.message
                    == "failed to resolve {{outputs.parameters.message}} in suspend node 'approve': no value was "
                    + "supplied on resume and it has no valueFrom.default")
        }
    }

    @Test("a resume file that is not a JSON object errors the suspend node with a message saying what it must hold")
    func malformedResumeFile() async throws {
        try await EngineHarness.withDirectory { directory in
            let (run, _) = try await Self.runApproval(resume: "message=hello", in: directory)
            #expect(run.summary.phase == .error)
            #expect(
                try run.node("approve").message
                    == "invalid expression 'message=hello' in the run's resume file: a resume file must be empty or "
                    + "a JSON object of output parameter values such as {\"message\": \"hello\"}")
        }
    }

    @Test("a duration that is neither seconds nor a Go duration errors the node, naming the value and the field")
    func badDuration() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: suspend-bad
            spec:
              entrypoint: wait
              arguments:
                parameters: [{name: when, value: soon}]
              templates:
                - name: wait
                  suspend:
                    duration: "{{workflow.parameters.when}}"
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .error)
            let node = try run.node("suspend-bad")
            #expect(node.type == .suspend)
            #expect(
                node.message
                    == "invalid expression 'soon' in suspend.duration of template 'wait': not a duration such as 20 "
                    + "(seconds), 20s or 2m")
        }
    }
}
