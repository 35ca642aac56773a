import ArgumentParser
import Foundation
import SluiceEngine
import SluiceGovernance

/// `sluice keygen`: creates an Ed25519 signing key (0600, PKCS#8 PEM).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Create an Ed25519 signing key (default: the state directory's key).")

    @Option(name: [.short, .long], help: "Where to write the private key (default: the state directory's key).")
    var output: String?

    @Flag(help: "Replace an existing key file.")
    var force = false

    @OptionGroup var state: StateOptions

    func run() throws {
        let path = output ?? KeyStore.defaultKeyPath(stateDirectory: state.resolved)
        if FileManager.default.fileExists(atPath: path) && !force {
            throw CommandFailure(ExitStatus.usage, "error: '\(path)' already exists: pass --force to replace it")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            }
            let key = SigningKey.generate()
            try key.write(to: path, replacingExisting: force)
            print("wrote \(path)")
            printPublicKey(key.publicKey)
        } catch let error as GovernanceError {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        } catch {
            throw CommandFailure(
                ExitStatus.failed, "error: cannot create '\(directory)': \(error.localizedDescription)")
        }
    }
}

/// `sluice key show`: the public half of a signing key.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Inspect signing keys and delegate roles to other keys.",
        subcommands: [Show.self, Delegate.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print the public key (PEM SubjectPublicKeyInfo and hex) and its keyid.")

        @Option(help: "The private key file (default: the state directory's key).")
        var key: String?

        @OptionGroup var state: StateOptions

        func run() throws {
            let path = key ?? KeyStore.defaultKeyPath(stateDirectory: state.resolved)
            do {
                printPublicKey(try SigningKey.load(from: path).publicKey)
            } catch {
                printError("error: \(error.description)")
                if key == nil { printError("hint: create one with 'sluice keygen' (or run a workflow)") }
                throw ExitCode(ExitStatus.failed)
            }
        }
    }
}

extension KeyCommand {
    /// `sluice key delegate`: signs a delegation attestation and prints the `spec.governance.delegations` entry.
    struct Delegate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delegate",
            abstract: "Delegate roles to another key: print a signed spec.governance.delegations entry.",
            discussion: """
                Signs, with the delegator's private key, an in-toto statement that admits the delegate's public key \
                for the given roles, and prints the YAML entry to paste under spec.governance.delegations. The \
                delegator must be the authority (or earlier delegation) named by --from and hold the role \
                'delegate' and every delegated role.
                """)

        @Option(help: "The delegator's private key (default: the state directory's key).")
        var key: String?

        @Option(help: "The name of the delegator in spec.governance (an authority or an earlier delegation).")
        var from: String

        @Option(help: "The delegate's public key: a PEM file, or 64 hex characters.")
        var to: String

        @Option(help: "The delegation's name in spec.governance.")
        var name: String

        @Option(help: "A delegated role: submit, sign or delegate (repeatable).")
        var role: [String] = ["sign"]

        @OptionGroup var state: StateOptions

        func run() throws {
            let path = key ?? KeyStore.defaultKeyPath(stateDirectory: state.resolved)
            var roles: Set<GovernanceDocument.Role> = []
            for text in role {
                guard let value = GovernanceDocument.Role(rawValue: text) else {
                    throw CommandFailure(
                        ExitStatus.usage, "error: --role '\(text)' is not one of submit, sign, delegate")
                }
                roles.insert(value)
            }
            do {
                let delegator = try SigningKey.load(from: path)
                let delegate: PublicKey
                if FileManager.default.fileExists(atPath: to) {
                    delegate = try PublicKey(pem: try String(contentsOfFile: to, encoding: .utf8))
                } else {
                    delegate = try PublicKey(hex: to)
                }
                let envelope = DelegationAttestation.sign(name: name, delegate: delegate, roles: roles, with: delegator)
                let json = String(decoding: envelope.jsonBytes(), as: UTF8.self)
                print("- name: \(name)")
                print("  from: \(from)")
                print("  publicKey: \(delegate.hex)")
                print("  roles: [\(roles.sorted().map(\.rawValue).joined(separator: ", "))]")
                print("  attestation: '\(json)'")
            } catch let error as GovernanceError {
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            } catch {
                throw CommandFailure(ExitStatus.failed, "error: cannot read '\(to)': \(error.localizedDescription)")
            }
        }
    }
}

private func printPublicKey(_ key: PublicKey) {
    print("keyid: \(key.keyID)")
    print("hex:   \(key.hex)")
    print(key.pem, terminator: key.pem.hasSuffix("\n") ? "" : "\n")
}
