import Foundation
import SluiceTesting
import Testing

/// Issue 9 item 6 through the command line: a value that decides a `when`, altered in `sluice.db` after the run,
/// is refused when `sluice resume` reads it back (exit code 3), and the denial is recorded.
@Suite("Decisions gated on resume")
struct DecisionGateCLITests {
    static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: quality-gate
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - {name: check, template: check}
                  - {name: flaky, template: flaky}
                  - name: register
                    template: register
                    depends: check
                    when: "{{tasks.check.outputs.parameters.accuracy}} > 0.9"
            - name: check
              container:
                image: alpine
                command: [sh, -c, "printf 0.5 > /tmp/accuracy"]
              outputs:
                parameters:
                  - name: accuracy
                    valueFrom: {path: /tmp/accuracy}
            - name: flaky
              container:
                image: alpine
                command: [sh, -c, "exit 1"]
            - name: register
              container:
                image: alpine
                command: [echo, registered]
        """

    @Test("a when input altered in sluice.db, then 'sluice resume': exit 3, naming the value and its producer")
    func tamperedWhenThenResume() async throws {
        try await SluiceCLI.withScratch { cli in
            let path = try cli.write(Self.workflow, name: "gate.yaml")
            let first = try cli.run(["run", path])
            #expect(first.status == 1, "\(first)")
            let changed = try StoreTampering.execute(
                stateDirectory: cli.home,
                sql: "UPDATE nodes SET outputs_json = replace(outputs_json, '\"0.5\"', '\"0.95\"') "
                    + "WHERE display_name = 'check'")
            #expect(changed == 1)
            let resumed = try cli.run(["resume", "@latest"])
            #expect(resumed.status == 3, "\(resumed)")
            let get = try cli.run(["get", "@latest"])
            #expect(
                get.stdout.contains(
                    "node 'register' refused: input 'when: check.outputs/parameters/accuracy': subject-digest"),
                "\(get)")
            #expect(get.stdout.contains("(producer 'check')"), "\(get)")
        }
    }
}
