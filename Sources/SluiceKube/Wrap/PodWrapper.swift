import CKubeShims
import Foundation
import SluiceExpressions
import SluiceGovernance

#if canImport(Glibc)
    import Glibc
#endif

/// `sluice wrap`: the in-pod gate around the user's command.
///
/// Before the command: opens the pod's one signer session, re-hashes every input at its path, verifies the
/// producers' envelopes (``PodGate``), and tells the signer what it admitted. After it: hashes the outputs exactly
/// as Argo delivers them (parameters with one trailing newline trimmed, `result` as the last 256 KiB of stdout
/// after one trailing newline is trimmed, artifacts as files or directory trees), gets the envelope from the
/// signer and writes it and its payload digest where the template's extra outputs read them. Writes nothing to
/// stdout but the command's own output.
package struct PodWrapper: Sendable {
    /// The exit code of a node the gate refused (the reason is one line on stderr and in the termination log).
    package static let refusedStatus: Int32 = 86
    /// The exit code when the wrapper could not govern the node (no signer, a broken session, unreadable inputs).
    package static let failedStatus: Int32 = 85
    /// The most of stdout Argo keeps as `outputs.result`.
    package static let resultLimit = 256 * 1024

    package let plan: WrapPlan
    package var connectTimeout: Duration = .seconds(120)

    package init(plan: WrapPlan) { self.plan = plan }

    /// Runs the node; returns the process exit status.
    package func run() -> Int32 {
        _ = sluice_set_nondumpable()  // the user's command (same uid) cannot ptrace us or read our memory
        // The command's background processes, orphaned, become ours: killed before the outputs are measured.
        _ = sluice_set_child_subreaper()
        let socket: UnixSocket
        var gate: PodGate
        do {
            socket = try UnixSocket.connect(path: plan.socketPath, timeout: connectTimeout)
            try socket.send(CanonicalJSON.object(["type": "hello"]).bytes)
            let facts = try SignerServer.expect("facts", from: socket)
            gate = try PodGate(
                run: try RunFacts(json: facts["run"] ?? .null), node: try NodeFacts(json: facts["node"] ?? .null))
            gate.revocations = try LineagePolicy.Revocations(sessionJSON: facts["revocations"])
        } catch {
            return fail(error.description)
        }
        let admitted: PodGate.Admitted
        do {
            switch gate.admit(try measureInputs()) {
            case .failure(let refusal): return refuse(refusal.description)
            case .success(let result): admitted = result
            }
            try socket.send(
                SessionInputs(
                    inputs: admitted.inputs, chainDepth: admitted.chainDepth,
                    command: plan.command
                ).json.bytes)
            _ = try SignerServer.expect("started", from: socket)
        } catch {
            return fail(error.description)
        }
        let ended = ChildProcess.run(plan.command, tailLimit: Self.resultLimit)
        // Nothing the command started may change an output between its measure and Argo's upload.
        ChildProcess.killDescendants()
        do {
            let outputs = SessionOutputs(
                subjects: try measureOutputs(stdoutTail: ended.stdoutTail),
                outcome: ended.status == 0 ? nil : "Failed")
            try socket.send(outputs.json.bytes)
            let reply = try SignerServer.expect("envelope", from: socket)
            let envelope = try Envelope(jsonBytes: (reply["envelope"] ?? .null).bytes)
            try write(envelope.jsonBytes() + [0x0A], to: plan.envelopePath)
            try write(Array(envelope.payloadDigest.description.utf8), to: plan.envelopeDigestPath)
        } catch let error as KubeError {
            return fail(error.description)
        } catch {
            return fail("the signer's envelope is malformed: \(error)")
        }
        return ended.status
    }

    // MARK: - Measuring

    private func measureInputs() throws(KubeError) -> [PodGate.MeasuredInput] {
        var measured: [PodGate.MeasuredInput] = []
        for parameter in plan.inputParameters {
            var input = PodGate.MeasuredInput(
                name: parameter.name, kind: .parameter, digest: .sha256(utf8: parameter.value))
            switch plan.inputSources[parameter.name] {
            case "literal"?: input.source = .init(kind: "literal")
            case let text? where text.hasPrefix("argument:"):
                input.source = .init(kind: "argument", name: String(text.dropFirst("argument:".count)))
            default: break
            }
            measured.append(try lineage(for: input))
        }
        for parameter in plan.workflowParameters.sorted(by: { $0.name < $1.name }) {
            var input = PodGate.MeasuredInput(
                name: "workflow.parameters.\(parameter.name)", kind: .parameter, digest: .sha256(utf8: parameter.value))
            input.source = .init(kind: "argument", name: parameter.name)
            measured.append(input)
        }
        for artifact in plan.inputArtifacts {
            guard let (digest, algorithm) = try Self.digest(at: artifact.path, name: artifact.name) else {
                if artifact.optional { continue }
                throw .session(reason: "input artifact '\(artifact.name)' is not at '\(artifact.path)'")
            }
            measured.append(
                try lineage(
                    for: .init(
                        name: artifact.name, kind: .artifact, digest: digest, algorithm: algorithm)))
        }
        return measured
    }

    /// `input` with its producer's envelope and Argo's record of it, when the call site bound them.
    private func lineage(for input: PodGate.MeasuredInput) throws(KubeError) -> PodGate.MeasuredInput {
        var input = input
        let kind: PodLayout.InputKind = input.kind == .artifact ? .artifact : .parameter
        let path = plan.lineageDirectory + "/\(kind.rawValue)-\(input.name).intoto.json"
        input.envelope = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        if let text = plan.lineageDigests["\(kind.rawValue)-\(input.name)"], !text.isEmpty {
            guard text.hasPrefix("sha256:"), let digest = try? Digest(hex: String(text.dropFirst(7))) else {
                throw .badOption(option: "--lineage-digest", reason: "'\(text)' is not sha256:<hex>")
            }
            input.recordedDigest = digest
        }
        return input
    }

    private func measureOutputs(stdoutTail: [UInt8]) throws(KubeError) -> [Statement.Subject] {
        var subjects: [Statement.Subject] = []
        for artifact in plan.outputArtifacts {
            guard let (digest, algorithm) = try Self.digest(at: artifact.path, name: artifact.name) else { continue }
            subjects.append(
                Statement.Subject(name: "outputs/artifacts/\(artifact.name)", digest: [algorithm: digest.hex]))
        }
        for parameter in plan.outputParameters {
            guard var bytes = FileManager.default.contents(atPath: parameter.path).map({ [UInt8]($0) }) else {
                continue
            }
            if bytes.last == 0x0A { bytes.removeLast() }
            subjects.append(Statement.Subject(name: "outputs/parameters/\(parameter.name)", sha256: .sha256(bytes)))
        }
        var result = stdoutTail
        if result.last == 0x0A { result.removeLast() }
        subjects.append(Statement.Subject(name: "outputs/result", sha256: .sha256(result.suffix(Self.resultLimit))))
        return subjects
    }

    /// The digest of the file (`sha256`) or directory tree (`dirHash`) at `path`; nil when nothing is there.
    static func digest(at path: String, name: String) throws(KubeError) -> (Digest, String)? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        do {
            return isDirectory.boolValue
                ? (try Digest.directoryHash(at: path), "dirHash") : (try Digest.sha256(fileAt: path), "sha256")
        } catch {
            throw .session(reason: "cannot hash '\(name)' at '\(path)': \(error.description)")
        }
    }

    // MARK: - Ending

    private func write(_ bytes: [UInt8], to path: String) throws(KubeError) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .session(reason: "cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    private func refuse(_ reason: String) -> Int32 {
        report(reason)
        return Self.refusedStatus
    }

    private func fail(_ reason: String) -> Int32 {
        report("sluice wrap: " + reason)
        return Self.failedStatus
    }

    /// One line on stderr and in the container's termination message (which Argo shows as the node's message).
    private func report(_ line: String) {
        let escaped = line.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data((escaped + "\n").utf8))
        if FileManager.default.isWritableFile(atPath: "/dev/termination-log") {
            try? Data(escaped.utf8).write(to: URL(fileURLWithPath: "/dev/termination-log"))
        }
    }
}
