import Foundation
import SluiceGovernance
import SluiceStore
import SluiceTesting
import Testing

/// `sluice keygen`, `sluice key show`, and the private key never leaking into output or node logs.
@Suite("CLI keys", .timeLimit(.minutes(2)))
struct CLIKeyTests {
    @Test("keygen writes a 0600 key; key show prints its keyid, 64-hex public key and PEM; keygen refuses to overwrite")
    func keygenAndShow() async throws {
        try await SluiceCLI.withScratch { cli in
            let keyPath = cli.home + "/keys/signing-key.pem"
            let generated = try cli.run(["keygen"])
            #expect(generated.status == 0, "\(generated)")
            #expect(generated.stdout.hasPrefix("wrote \(keyPath)\n"), "\(generated)")
            let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)

            let shown = try cli.run(["key", "show"])
            #expect(shown.status == 0, "\(shown)")
            let key = try SigningKey.load(from: keyPath).publicKey
            #expect(shown.stdout == "keyid: \(key.keyID)\nhex:   \(key.hex)\n\(key.pem)", "\(shown)")
            #expect(shown.stdout.contains(/hex:   [0-9a-f]{64}\n/))
            #expect(shown.stdout.contains("-----BEGIN PUBLIC KEY-----\n"))
            #expect(generated.stdout.hasSuffix(shown.stdout), "keygen prints the same public key")

            let again = try cli.run(["keygen"])
            #expect(again.status == 2, "\(again)")
            #expect(again.stderr == "error: '\(keyPath)' already exists: pass --force to replace it\n", "\(again)")
            #expect(try SigningKey.load(from: keyPath).publicKey == key)
        }
    }

    @Test("the private key appears in no command's output and in no node's environment or log")
    func privateKeyNeverPrinted() async throws {
        try await SluiceCLI.withScratch { cli in
            #expect(try cli.run(["keygen"]).status == 0)
            let keyPath = cli.home + "/keys/signing-key.pem"
            let pem = try String(contentsOfFile: keyPath, encoding: .utf8)
            let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let der = try #require(Data(base64Encoded: body))
            let seed = [UInt8](der.suffix(32))
            let secrets = [
                body, Data(seed).base64EncodedString(), seed.map { String(format: "%02x", $0) }.joined(),
                "PRIVATE KEY",
            ]

            let yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  name: env-dump
                spec:
                  entrypoint: main
                  templates:
                    - name: main
                      container:
                        image: alpine
                        command: [sh, -c, "env; cat /proc/self/environ | tr '\\\\0' '\\\\n'"]
                """
            let file = try cli.write(yaml, name: "env.yaml")
            var outputs: [(String, CLIResult)] = []
            outputs.append(("run", try cli.run(["run", file])))
            outputs.append(("run --key", try cli.run(["run", file, "--key", keyPath])))
            for command in [
                ["get", "@latest"], ["get", "@latest", "-o", "json"], ["logs", "@latest"],
                ["logs", "env-dump", "env-dump"],
                ["list"], ["verify", "@latest"], ["key", "show"],
            ] {
                outputs.append((command.joined(separator: " "), try cli.run(command)))
            }
            #expect(outputs[0].1.status == 0, "\(outputs[0].1)")
            let logs = try #require(outputs.first { $0.0 == "logs env-dump env-dump" }?.1)
            #expect(logs.stdout.contains("PATH="), "the node printed its environment: \(logs)")
            for (command, result) in outputs {
                for secret in secrets {
                    #expect(!result.stdout.contains(secret), "'\(command)' printed the private key on stdout")
                    #expect(!result.stderr.contains(secret), "'\(command)' printed the private key on stderr")
                }
            }
            // The node's log files on disk, too.
            let store = try Store(stateDirectory: cli.home)
            for run in try store.runs() {
                for attempt in try store.attempts(runID: run.id) {
                    for path in [attempt.stdoutPath, attempt.stderrPath].compactMap({ $0 }) {
                        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                        for secret in secrets { #expect(!text.contains(secret), "\(path) holds the private key") }
                    }
                }
            }
        }
    }
}
