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
            printError("error: '\(path)' already exists: pass --force to replace it")
            throw ExitCode(ExitStatus.usage)
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
            let key = SigningKey.generate()
            try key.write(to: path, replacingExisting: force)
            print("wrote \(path)")
            printPublicKey(key.publicKey)
        } catch let error as GovernanceError {
            printError("error: \(error.description)")
            throw ExitCode(ExitStatus.failed)
        } catch {
            printError("error: cannot create '\(directory)': \(error.localizedDescription)")
            throw ExitCode(ExitStatus.failed)
        }
    }
}

/// `sluice key show`: the public half of a signing key.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Inspect signing keys.", subcommands: [Show.self])

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

private func printPublicKey(_ key: PublicKey) {
    print("keyid: \(key.keyID)")
    print("hex:   \(key.hex)")
    print(key.pem, terminator: key.pem.hasSuffix("\n") ? "" : "\n")
}
