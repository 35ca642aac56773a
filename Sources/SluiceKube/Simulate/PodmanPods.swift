import Foundation

/// Runs simulated pods for real under `podman kube play`, with a directory standing in for the artifact repository.
///
/// For each pod: stages its input artifacts from the repository (unpacking Argo's tar.gz archives), writes the Pod
/// (``PodManifest``), plays it, waits for the `main` container, reads its exit code, stdout (`outputs.result`) and
/// last stderr line (the message), copies the declared outputs out of the exited container (`podman cp`, as Argo's
/// executor reads them from the container after the command), stores the artifacts in the repository under Argo's
/// default key layout `<workflow>/<pod>/<artifact>.tgz` (`archive: none`: `<workflow>/<pod>/<file name>`), and
/// removes the pod and its volumes (`podman kube down`) on every path.
package struct PodmanPods: Sendable {
    /// The repository directory.
    package var repository: String
    /// A scratch directory for staged inputs, manifests and copied outputs.
    package var scratch: String
    /// The workflow's name (first component of artifact keys).
    package var workflowName: String
    /// The lineage key file the signer's Secret holds, by Secret name.
    package var secretKeys: [String: String]
    /// How long a pod may run when its template sets no `activeDeadlineSeconds`.
    package var podDeadline = 600
    /// The signed revocation list the `sluice-revocations` ConfigMap holds (absent: an empty ConfigMap).
    package var revocationList: String?

    package init(repository: String, scratch: String, workflowName: String, secretKeys: [String: String]) {
        self.repository = repository
        self.scratch = scratch
        self.workflowName = workflowName
        self.secretKeys = secretKeys
    }

    /// Runs `call` to its end.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` when podman cannot play the pod; a failing command or a refused
    ///   node is a result (phase Failed), not an error.
    package func run(_ call: PodCall) async throws(KubeError) -> PodResult {
        let directory = scratch + "/" + call.podName
        try make(directory)
        let started = Self.timestamp()
        var result: PodResult
        switch try await stageInputs(of: call, directory: directory) {
        case .missing(let message):
            result = PodResult(phase: .error, message: message, outputs: PodOutputs())
        case .staged(let staged):
            let manifestPath = try stagePod(call, inputs: staged, directory: directory)
            // A pod of that name left by an interrupted simulation would make the play fail: Argo's names are fixed.
            _ = try? await HostTool.run(["podman", "pod", "rm", "-f", "--ignore", call.podName], in: directory)
            let played: Result<PodResult, KubeError>
            do {
                played = .success(try await play(call, manifest: manifestPath, directory: directory))
            } catch {
                played = .failure(error)
            }
            await Self.remove(call.podName, manifest: manifestPath, directory: directory)
            result = try played.get()
        }
        result.startedAt = started
        result.finishedAt = Self.timestamp()
        return result
    }

    /// Takes the pod down and removes it, in a task of its own: when the simulation is stopped (its task cancelled
    /// by a signal), podman still runs for this.
    private static func remove(_ podName: String, manifest: String, directory: String) async {
        await Task.detached {
            _ = try? await HostTool.run(["podman", "kube", "down", manifest], in: directory)
            _ = try? await HostTool.run(["podman", "pod", "rm", "-f", "--ignore", podName], in: directory)
        }.value
    }

    /// Input artifacts staged on the host, or the message of the one the repository lacks.
    private enum StagedInputs {
        case staged([String: String])
        case missing(message: String)
    }

    /// Stages the input artifacts (unpacking archives) and raw inputs under `directory`, by input name.
    private func stageInputs(of call: PodCall, directory: String) async throws(KubeError) -> StagedInputs {
        var staged: [String: String] = [:]
        for (index, input) in call.inputArtifacts.enumerated() {
            let object = repository + "/" + input.artifact.key
            guard FileManager.default.fileExists(atPath: object) else {
                return .missing(
                    message: "failed to load artifact '\(input.artifact.name)': the repository has no key "
                        + "'\(input.artifact.key)'")
            }
            guard input.artifact.isArchive else {
                staged[input.artifact.name] = object
                continue
            }
            let target = directory + "/inputs/\(index)"
            try make(target)
            try await HostTool.check(
                ["tar", "-xzf", object, "-C", target], in: directory,
                doing: "unpacking artifact '\(input.artifact.name)'")
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
            guard entries.count == 1 else {
                throw .simulation(
                    reason: "artifact '\(input.artifact.key)' holds \(entries.count) entries, not one file or directory"
                )
            }
            staged[input.artifact.name] = target + "/" + entries[0]
        }
        for (index, input) in call.rawInputs.enumerated() {
            let path = directory + "/raw-\(index)"
            try write(Data(input.data.utf8), to: path)
            staged[input.name] = path
        }
        return .staged(staged)
    }

    /// Writes the script, the ConfigMaps' and Secrets' stand-in directories and the Pod manifest; returns its path.
    private func stagePod(_ call: PodCall, inputs staged: [String: String], directory: String) throws(KubeError)
        -> String
    {
        var scriptFile: String?
        if let source = call.template["script"]?["source"]?.scalarText {
            let path = directory + "/script"
            try write(Data(source.utf8), to: path)
            // Executable, as Argo stages it: a script template may run it directly (`command: [sh, -c]`).
            _ = chmod(path, 0o755)
            scriptFile = path
        }
        var secrets = try stageConfigMaps(of: call, directory: directory)
        for volume in call.template["volumes"]?.elements ?? [] {
            guard let name = volume["secret"]?["secretName"]?.scalarText else { continue }
            guard let key = secretKeys[name] else {
                throw .simulation(reason: "no key stands in for Secret '\(name)' (give --signer-key)")
            }
            let secretDirectory = directory + "/secret-" + name
            try make(secretDirectory)
            let target = secretDirectory + "/" + PodLayout.keyFileName
            do {
                try FileManager.default.copyItem(atPath: key, toPath: target)
                try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: target)
            } catch {
                throw .simulation(reason: "cannot copy the signer key '\(key)': \(error.localizedDescription)")
            }
            secrets[name] = secretDirectory
        }
        let manifest = PodManifest(
            call: call, stagedInputs: staged, scriptFile: scriptFile, secretDirectories: secrets)
        let manifestPath = directory + "/pod.yaml"
        try write(Data(try manifest.pod().text.utf8), to: manifestPath)
        return manifestPath
    }

    /// The host directories standing in for the pod's ConfigMaps, keyed `configMap/NAME`.
    private func stageConfigMaps(of call: PodCall, directory: String) throws(KubeError) -> [String: String] {
        var maps: [String: String] = [:]
        for volume in call.template["volumes"]?.elements ?? [] {
            guard let mapName = volume["configMap"]?["name"]?.scalarText else { continue }
            let mapDirectory = directory + "/configmap-" + mapName
            try make(mapDirectory)
            if mapName == PodLayout.revocationsConfigMap, let revocationList {
                do {
                    try FileManager.default.copyItem(
                        atPath: revocationList, toPath: mapDirectory + "/" + PodLayout.revocationsFileName)
                } catch {
                    throw .simulation(reason: "cannot copy '\(revocationList)': \(error.localizedDescription)")
                }
            }
            maps["configMap/" + mapName] = mapDirectory
        }
        return maps
    }

    /// Plays the staged pod, waits for its main container and reads its result and outputs.
    private func play(_ call: PodCall, manifest manifestPath: String, directory: String) async throws(KubeError)
        -> PodResult
    {
        try await HostTool.check(
            ["podman", "kube", "play", manifestPath], in: directory, doing: "playing pod '\(call.podName)'")
        let main = call.podName + "-" + PodManifest.mainContainer
        let deadline = call.template["activeDeadlineSeconds"]?.scalarText.flatMap { Int($0) } ?? podDeadline
        let waited = try await HostTool.run(["podman", "wait", main], in: directory, deadline: deadline)
        if waited.timedOut {
            _ = try? await HostTool.run(["podman", "pod", "stop", "-t", "2", call.podName], in: directory)
            return PodResult(
                phase: .failed, message: "Pod was active on the node longer than the specified deadline",
                outputs: PodOutputs())
        }
        guard waited.status == 0 else {
            throw .simulation(
                reason: "waiting for '\(main)': podman wait exited \(waited.status): \(waited.lastErrorLine)")
        }
        let exitCode = Int32(waited.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        let logs = try await HostTool.check(
            ["podman", "logs", main], in: directory, doing: "reading the logs of '\(main)'")
        var result = PodResult(phase: .succeeded, message: nil, outputs: PodOutputs())
        result.outputs.exitCode = exitCode
        var stdout = Array(logs.stdout.utf8)
        if stdout.last == 0x0A { stdout.removeLast() }
        result.outputs.result = String(decoding: stdout.suffix(PodWrapper.resultLimit), as: UTF8.self)
        let line = logs.lastErrorLine
        if exitCode != 0 {
            result.phase = .failed
            result.message = line.isEmpty ? "Error (exit code \(exitCode))" : line
            // Argo's executor still saves what a failed command left (its envelope, signed with the failure, among
            // it); outputs it did not leave change nothing: the node has failed already.
            var saved = PodOutputs()
            try? await collectOutputs(of: call, container: main, into: &saved, directory: directory, lenient: true)
            result.outputs.parameters = saved.parameters
            result.outputs.artifacts = saved.artifacts
            return result
        }
        do {
            try await collectOutputs(of: call, container: main, into: &result.outputs, directory: directory)
        } catch {
            result.phase = .error
            result.message = error.description + (line.isEmpty ? "" : " (its last stderr line: \(line))")
        }
        return result
    }

    // MARK: - Outputs

    /// Copies the declared outputs out of the exited container into the repository; `lenient` skips those missing
    /// (a failed command's) instead of throwing.
    private func collectOutputs(
        of call: PodCall, container: String, into outputs: inout PodOutputs, directory: String, lenient: Bool = false
    ) async throws(KubeError) {
        let declared = call.template["outputs"]
        try make(directory + "/out")
        for parameter in declared?["parameters"]?.elements ?? [] {
            guard let name = parameter["name"]?.scalarText, let path = parameter["valueFrom"]?["path"]?.scalarText
            else { continue }
            let copy = directory + "/out/parameter-\(name)"
            if try await self.copy(container, path, to: copy, directory: directory),
                var bytes = FileManager.default.contents(atPath: copy).map({ [UInt8]($0) })
            {
                if bytes.last == 0x0A { bytes.removeLast() }
                outputs.parameters.append(NamedValue(name: name, value: String(decoding: bytes, as: UTF8.self)))
            } else if let fallback = parameter["valueFrom"]?["default"]?.scalarText {
                outputs.parameters.append(NamedValue(name: name, value: fallback))
            } else if lenient {
                continue
            } else {
                throw .simulation(reason: "failed to save outputs: parameter '\(name)': no file at '\(path)'")
            }
        }
        for artifact in declared?["artifacts"]?.elements ?? [] {
            guard let name = artifact["name"]?.scalarText, let path = artifact["path"]?.scalarText else { continue }
            let baseName = (path as NSString).lastPathComponent
            let holder = directory + "/out/artifact-\(name)"
            try make(holder)
            guard try await copy(container, path, to: holder + "/" + baseName, directory: directory) else {
                if artifact["optional"]?.scalarText == "true" || lenient { continue }
                throw .simulation(reason: "failed to save outputs: artifact '\(name)': no file at '\(path)'")
            }
            let isArchive = artifact["archive"]?["none"] == nil
            let key = "\(workflowName)/\(call.podName)/" + (isArchive ? "\(name).tgz" : baseName)
            let object = repository + "/" + key
            try make((object as NSString).deletingLastPathComponent)
            try? FileManager.default.removeItem(atPath: object)
            if isArchive {
                try await HostTool.check(
                    ["tar", "-czf", object, "-C", holder, baseName], in: directory, doing: "archiving '\(name)'")
            } else {
                do {
                    try FileManager.default.copyItem(atPath: holder + "/" + baseName, toPath: object)
                } catch {
                    throw .simulation(reason: "cannot store '\(key)': \(error.localizedDescription)")
                }
            }
            outputs.artifacts.append(RepositoryArtifact(name: name, key: key, isArchive: isArchive))
        }
    }

    /// Copies `path` out of the exited container; false when the container has nothing there.
    private func copy(_ container: String, _ path: String, to target: String, directory: String)
        async throws(KubeError) -> Bool
    {
        try await HostTool.run(["podman", "cp", "\(container):\(path)", target], in: directory).status == 0
    }

    // MARK: - Files

    private func make(_ directory: String) throws(KubeError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .simulation(reason: "cannot create '\(directory)': \(error.localizedDescription)")
        }
    }

    private func write(_ data: Data, to path: String) throws(KubeError) {
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw .simulation(reason: "cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// Now as RFC 3339 UTC, whole seconds (Argo's `startedAt`/`finishedAt`).
    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
