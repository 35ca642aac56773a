import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import Testing

/// Lifecycle hooks with expressions, and outputs written directly under `/`.
@Suite("Hooks and root-level outputs")
struct HooksAndRootOutputsTests {
    @Test(
        "a task hook runs when its expression holds at the task's end; one that does not hold does not run",
        .timeLimit(.minutes(1)))
    func expressionHooks() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: hooks
            spec:
              entrypoint: main
              hooks:
                done:
                  expression: workflow.status == "Succeeded"
                  template: say
              templates:
                - name: main
                  dag:
                    tasks:
                      - name: work
                        template: say
                        hooks:
                          succeeded:
                            expression: tasks.work.status == "Succeeded"
                            template: say
                          failed:
                            expression: tasks.work.status == "Failed"
                            template: say
                - name: say
                  container:
                    image: alpine
                    command: [sh, -c, "echo hook"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            #expect(try run.node("work.hooks.succeeded").phase == .succeeded)
            #expect(try run.node("hooks.hooks.done").phase == .succeeded)
            #expect(run.nodes.contains { $0.displayName == "work.hooks.failed" } == false)
        }
    }

    /// Pins the bug where `/output` became a private directory, so the node could not write the file.
    @Test(
        "an output parameter file directly under / is written and read back", .timeLimit(.minutes(1)),
        .enabled(
            if: ProcessRuntime.detectedIsolation == .bubblewrap,
            "skipped: without bubblewrap the node would write the host's /"))
    func rootLevelOutputFile() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: root-output
            spec:
              entrypoint: write
              templates:
                - name: write
                  container:
                    image: alpine
                    command: [sh, -c, "echo at-root > /sluice-test-output"]
                  outputs:
                    parameters:
                      - name: value
                        valueFrom:
                          path: /sluice-test-output
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded, "\(run.summary)")
            #expect(try run.outputs("root-output").parameters.first?.value == "at-root")
            #expect(!FileManager.default.fileExists(atPath: "/sluice-test-output"), "the host root stays untouched")
        }
    }

    @Test("workflow.creationTimestamp with a strftime character gives that part of the creation time")
    func creationTimestampFormats() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: stamps
            spec:
              entrypoint: show
              templates:
                - name: show
                  container:
                    image: alpine
                    command: [sh, -c, "echo {{workflow.creationTimestamp.Y}}-{{workflow.creationTimestamp.m}}"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await EngineHarness.run(yaml, in: directory)
            #expect(run.summary.phase == .succeeded)
            let created = try #require(run.run.createdAt as Date?)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let parts = calendar.dateComponents([.year, .month], from: created)
            let expected = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
            #expect(try run.outputs("stamps").result == expected)
        }
    }
}
