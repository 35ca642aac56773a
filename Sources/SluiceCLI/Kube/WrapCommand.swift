import ArgumentParser
import Foundation
import SluiceExpressions
import SluiceKube

/// `sluice wrap [inputs and outputs] -- COMMAND...`: the in-pod gate around a node's command (see ``PodWrapper``).
struct WrapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wrap",
        abstract:
            "Run a node's command inside its pod, governed: verify inputs, run, sign outputs (used by kube render).",
        discussion: """
            Exit codes: the command's own, \(PodWrapper.refusedStatus) when the gate refused the node (the reason is \
            one line on stderr and in /dev/termination-log), \(PodWrapper.failedStatus) when the node could not be \
            governed (no signer, a broken session). Nothing is written to stdout but the command's output.
            """)

    @Option(name: .customLong("input-parameter"), help: "An input parameter NAME=VALUE (repeatable).")
    var inputParameters: [String] = []
    @Option(
        name: .customLong("workflow-parameter"),
        help: "A workflow argument the command's fields read, NAME=VALUE (repeatable; an unsigned input).")
    var workflowParameters: [String] = []
    @Option(
        name: .customLong("input-source"),
        help: "Where an input parameter's value came from, NAME=literal|argument:ARG|'' (repeatable).")
    var inputSources: [String] = []
    @Option(name: .customLong("input-artifact"), help: "An input artifact NAME=PATH (repeatable).")
    var inputArtifacts: [String] = []
    @Option(name: .customLong("optional-input-artifact"), help: "An optional input artifact NAME=PATH (repeatable).")
    var optionalInputArtifacts: [String] = []
    @Option(name: .customLong("output-parameter"), help: "An output parameter NAME=PATH (repeatable).")
    var outputParameters: [String] = []
    @Option(name: .customLong("output-artifact"), help: "An output artifact NAME=PATH (repeatable).")
    var outputArtifacts: [String] = []
    @Option(name: .customLong("optional-output-artifact"), help: "An optional output artifact NAME=PATH (repeatable).")
    var optionalOutputArtifacts: [String] = []
    @Option(
        name: .customLong("lineage-digest"),
        help: "Argo's record of an input's producer envelope, KIND-NAME=sha256:<hex> (repeatable; empty: unbound).")
    var lineageDigests: [String] = []
    @Option(help: "The signer's session socket.")
    var socket: String = PodLayout.socketPath
    @Option(help: "Where to write the node's envelope.")
    var envelope: String = PodLayout.envelopePath
    @Option(help: "Where to write the envelope's payload digest.")
    var envelopeDigest: String = PodLayout.envelopeDigestPath
    @Option(help: "Where the producers' envelopes are.")
    var lineageDir: String = PodLayout.lineageDirectory
    @Option(help: "Seconds to wait for the signer's socket.")
    var connectTimeout: Int = 120
    @Option(help: "Copy this executable (with its bundled loader and libraries) into DIR and exit: the init container.")
    var install: String?

    @Argument(parsing: .postTerminator, help: "The node's command and arguments, after --.")
    var command: [String] = []

    func run() throws {
        if let install {
            try Self.install(to: install)
            return
        }
        guard !command.isEmpty else { throw ValidationError("give the node's command after --") }
        var plan = WrapPlan()
        do {
            plan.inputParameters = try inputParameters.map { try WrapPlan.pair($0, option: "--input-parameter") }
            for text in inputSources {
                let pair = try WrapPlan.pair(text, option: "--input-source")
                plan.inputSources[pair.name] = pair.value
            }
            plan.workflowParameters = try workflowParameters.map {
                try WrapPlan.pair($0, option: "--workflow-parameter")
            }
            plan.inputArtifacts =
                try inputArtifacts.map { try Self.path($0, "--input-artifact", optional: false) }
                + optionalInputArtifacts.map { try Self.path($0, "--optional-input-artifact", optional: true) }
            plan.outputParameters = try outputParameters.map {
                try Self.path($0, "--output-parameter", optional: false)
            }
            plan.outputArtifacts =
                try outputArtifacts.map { try Self.path($0, "--output-artifact", optional: false) }
                + optionalOutputArtifacts.map { try Self.path($0, "--optional-output-artifact", optional: true) }
            for text in lineageDigests {
                let pair = try WrapPlan.pair(text, option: "--lineage-digest")
                plan.lineageDigests[pair.name] = pair.value
            }
        } catch {
            throw KubeArguments.exit(for: error)
        }
        plan.command = command
        plan.socketPath = socket
        plan.envelopePath = envelope
        plan.envelopeDigestPath = envelopeDigest
        plan.lineageDirectory = lineageDir
        var wrapper = PodWrapper(plan: plan)
        wrapper.connectTimeout = .seconds(max(1, connectTimeout))
        let status = wrapper.run()
        if status != 0 { throw ExitCode(status) }
    }

    private static func path(_ text: String, _ option: String, optional: Bool) throws -> WrapPlan.Path {
        let pair = try WrapPlan.pair(text, option: option)
        return WrapPlan.Path(name: pair.name, path: pair.value, optional: optional)
    }

    /// Copies the directory of the running executable (`sluice`, and when bundled its loader `ld.so` and `lib/`, see
    /// scripts/build-wrapper-image.sh) into `destination`: each file through a temporary name, then renamed, so a
    /// reader never sees half a file. Links are copied as the files they name.
    static func install(to destination: String) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let source = executable.deletingLastPathComponent().path
        let bundled = FileManager.default.fileExists(atPath: source + "/ld.so")
        let names = bundled ? ["sluice", "ld.so", "lib"] : [executable.lastPathComponent]
        do {
            for name in names {
                try copy(source + "/" + name, to: destination + "/" + (bundled ? name : "sluice"))
            }
        } catch {
            printError("error: cannot install the wrapper into '\(destination)': \(error.localizedDescription)")
            throw ExitCode(ExitStatus.failed)
        }
    }

    private static func copy(_ source: String, to destination: String) throws {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: source) {
                try copy(source + "/" + name, to: destination + "/" + name)
            }
            return
        }
        let temporary = destination + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(
            atPath: URL(fileURLWithPath: source).resolvingSymlinksInPath().path, toPath: temporary)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: temporary)
        if rename(temporary, destination) != 0 {
            throw CocoaError(
                .fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    }
}
