import Foundation
import SluiceTesting
import Testing

/// `--submission`: a submission attestation signed elsewhere (`sluice kube attest`, as an event trigger or CI would)
/// adopted by `sluice run` and `sluice kube render` as the root of the run's trust slope.
@Suite("run and kube render --submission", .timeLimit(.minutes(1)))
struct SubmissionCLITests {
    static let workflow = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: triggered-}
        spec:
          entrypoint: main
          arguments: {parameters: [{name: who, value: world}]}
          templates:
            - name: main
              container: {image: busybox, command: [echo, "hello {{workflow.parameters.who}}"]}
        """

    @Test("run adopts the trigger's attestation once, with its name; the bundle verifies; render adopts it too")
    func accepted() async throws {
        try await SluiceCLI.withScratch { cli in
            #expect(try cli.run(["keygen"]).status == 0)
            let file = try cli.write(Self.workflow, name: "wf.yaml")
            let attested = try cli.run([
                "kube", "attest", file, "-o", "submission.json", "--submitted-on", "2026-12-01T00:00:00Z",
            ])
            #expect(attested.status == 0, "\(attested)")
            let name = try #require(attested.stdout.split(separator: " ").dropFirst(4).first.map(String.init))
            #expect(name.hasPrefix("triggered-"), "\(attested)")
            let run = try cli.run(["run", file, "--submission", "submission.json"])
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.hasPrefix("Name:     \(name)\n"), "\(run)")
            #expect(try cli.run(["export", name, "-o", "bundle"]).status == 0)
            let verified = try cli.run(["verify", "bundle"])
            #expect(verified.status == 0, "\(verified)")
            let submission = try String(contentsOfFile: cli.directory + "/submission.json", encoding: .utf8)
            let exported = try String(
                contentsOfFile: cli.directory + "/bundle/attestations/submission.intoto.json", encoding: .utf8)
            #expect(exported.trimmingCharacters(in: .newlines) == submission.trimmingCharacters(in: .newlines))

            let again = try cli.run(["run", file, "--submission", "submission.json"])
            #expect(again.status == 3, "\(again)")
            #expect(
                again.stderr.hasPrefix("error: submission refused: the submission attestation's run '\(name)' "),
                "\(again)")
            #expect(again.stderr.hasSuffix("was already submitted: an attestation submits one run\n"), "\(again)")

            let rendered = try cli.run(["kube", "render", file, "--submission", "submission.json", "-o", "r.yaml"])
            #expect(rendered.status == 0, "\(rendered)")
            #expect(rendered.stdout.hasPrefix("rendered \(name) (run "), "\(rendered)")
        }
    }

    @Test("an attestation by a key the governance does not admit, or of another workflow, is refused with exit 3")
    func refused() async throws {
        try await SluiceCLI.withScratch { cli in
            #expect(try cli.run(["keygen"]).status == 0)
            #expect(try cli.run(["keygen", "-o", "stranger.pem"]).status == 0)
            let file = try cli.write(Self.workflow, name: "wf.yaml")
            let other = try cli.write(
                Self.workflow.replacingOccurrences(of: "hello", with: "goodbye"), name: "other.yaml")
            #expect(try cli.run(["kube", "attest", file, "--key", "stranger.pem", "-o", "stranger.json"]).status == 0)
            #expect(try cli.run(["kube", "attest", other, "-o", "other.json"]).status == 0)
            for command in [["run", file], ["kube", "render", file, "-o", "r.yaml"]] {
                let wrongKey = try cli.run(command + ["--submission", "stranger.json"])
                #expect(wrongKey.status == 3, "\(wrongKey)")
                #expect(
                    wrongKey.stderr.contains("is not signed by a key the governance admits to submit: "),
                    "\(wrongKey)")
                #expect(wrongKey.stderr.split(separator: "\n").count == 1, "\(wrongKey)")
                let otherWorkflow = try cli.run(command + ["--submission", "other.json"])
                #expect(otherWorkflow.status == 3, "\(otherWorkflow)")
                #expect(
                    otherWorkflow.stderr.hasPrefix("error: submission refused: workflow edited after submission: "),
                    "\(otherWorkflow)")
            }
            let garbage = try cli.write("{}", name: "garbage.json")
            let unreadable = try cli.run(["run", file, "--submission", garbage])
            #expect(unreadable.status == 2, "\(unreadable)")
            #expect(try cli.run(["list"]).stdout.split(separator: "\n").count <= 1, "a refused run was recorded")
        }
    }
}
