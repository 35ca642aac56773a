import ArgumentParser
import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceStore

/// `sluice revoke KEYID|ENVELOPE-DIGEST --reason TEXT`: a signed, append-only revocation in the state directory.
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a signing key or an envelope; every gate refuses it from now on.",
        discussion: """
            The revocation is signed by the state directory's key (or --key) and appended to the store; runs in \
            progress see it at their next gate. A 'sha256:' prefix means an envelope payload digest.
            """)

    @Argument(help: ArgumentHelp("A key id or an envelope payload digest (64 hex).", valueName: "keyid-or-digest"))
    var target: String

    @Option(help: "Why it is revoked (recorded and shown in every refusal).")
    var reason: String

    @Option(help: "key or envelope (default: decided by what the state directory knows).")
    var kind: RevocationRecord.Kind?

    @Option(help: "The private key that signs the revocation (default: the state directory's key).")
    var key: String?

    @OptionGroup var state: StateOptions

    func run() throws {
        let store = try openStore(state)
        do {
            let (value, implied) = try Revocations.target(target)
            let signingKey = try KeyStore.signingKey(path: key, stateDirectory: state.resolved)
            if let notice = signingKey.notice { printError(notice) }
            let revocations = Revocations(store: store)
            let kind = try kind ?? implied ?? revocations.kind(of: value, extraKeys: [signingKey.key.publicKey])
            let stored = try revocations.revoke(kind: kind, value: value, reason: reason, signingKey: signingKey.key)
            print(
                "revoked \(kind.rawValue) \(value) (revocation \(stored.revocation.id ?? 0), signed by "
                    + "\(signingKey.key.publicKey.keyID.prefix(16))…): \(reason)")
        } catch let error as ExportError {
            throw CommandFailure(error)
        } catch let error as EngineError {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }
}

extension RevocationRecord.Kind: ExpressibleByArgument {}

/// `sluice revocations export|import`: revocation lists as signed files for offline use.
struct RevocationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revocations", abstract: "Export or import signed revocation lists.",
        subcommands: [List.self, Export.self, Import.self])

    /// `sluice revocations list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Print every revocation.")

        @OptionGroup var state: StateOptions

        func run() throws {
            let store = try openStore(state)
            do {
                for entry in try store.signedRevocations() {
                    let revocation = entry.revocation
                    let signer = entry.keyID.map { "signed by \($0.prefix(16))…" } ?? "unsigned"
                    print(
                        "\(revocation.kind) \(revocation.value) \(StoreTimestamp.string(from: revocation.createdAt)) "
                            + "(\(signer)): \(revocation.reason)")
                }
            } catch {
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            }
        }
    }

    /// `sluice revocations export -o FILE`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Write every revocation to a file signed by the state directory's key.")

        @Option(name: [.short, .long], help: "The file to write.")
        var output: String

        @Option(help: "The private key that signs the file (default: the state directory's key).")
        var key: String?

        @OptionGroup var state: StateOptions

        func run() throws {
            let store = try openStore(state)
            do {
                let signingKey = try KeyStore.signingKey(path: key, stateDirectory: state.resolved)
                if let notice = signingKey.notice { printError(notice) }
                let list = try Revocations(store: store).list()
                let bytes = list.signedFile(with: signingKey.key, exportedAt: Date())
                guard !FileManager.default.fileExists(atPath: output) else {
                    throw CommandFailure(ExitStatus.usage, "error: '\(output)' already exists: choose a new path")
                }
                try Data(bytes).write(to: URL(fileURLWithPath: output))
                print(
                    "wrote \(list.entries.count) revocation(s) to \(output), signed by "
                        + "\(signingKey.key.publicKey.keyID.prefix(16))…")
            } catch let failure as CommandFailure {
                throw failure
            } catch let error as ExportError {
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            } catch let error as EngineError {
                throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
            } catch {
                throw CommandFailure(
                    ExitStatus.failed, "error: cannot write '\(output)': \(error.localizedDescription)")
            }
        }
    }

    /// `sluice revocations import FILE --trust KEYFILE`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add the revocations of a signed list, after checking its signature against --trust keys.")

        @Argument(help: "A file written by 'sluice revocations export'.")
        var file: String

        @Option(help: "PEM (or hex) public keys whose signature on the list is accepted.")
        var trust: String

        @OptionGroup var state: StateOptions

        func run() throws {
            let store = try openStore(state)
            do {
                let trusted = try PublicKeyFile.keys(at: trust)
                let (list, signer) = try RevocationList.verifiedFile(at: file, trustedKeys: trusted)
                let (added, present) = try Revocations(store: store).importList(list)
                print(
                    "imported \(added) revocation(s) from \(file) (signed by \(signer.keyID.prefix(16))…), "
                        + "\(present) already present")
            } catch {
                throw CommandFailure(error)
            }
        }
    }
}
