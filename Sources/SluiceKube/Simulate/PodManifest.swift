/// The Kubernetes Pod that `podman kube play` runs for one ``PodCall``: what Argo's controller would create for it,
/// minus Argo's own `wait` sidecar and `init` container (whose jobs the simulator does on the host: it places the
/// input artifacts and reads the outputs back).
///
/// - The template's init containers (the wrapper's `sluice-install` first), its main container (named `main`, as
///   Argo names it) and its sidecars (`sluice-signer` among them) are the pod's containers, fields as rendered.
/// - Input artifacts are host paths (files or directories unpacked from the repository) mounted read-only at their
///   paths in the main container; a script's source is mounted read-only at `/argo/staging/script` and its path
///   appended to the arguments, as Argo does.
/// - `emptyDir` volumes get the pod's name as prefix (podman makes them named volumes, shared by name).
/// - The Secret volume (`secret:`) becomes the host directory holding the key (podman 4.3 cannot mount Secrets into
///   a kube pod); it stays mounted only where the template mounts it: in the signer.
package struct PodManifest: Sendable {
    /// Where Argo mounts a script's source.
    package static let scriptPath = "/argo/staging/script"

    package var call: PodCall
    /// Host paths of the staged input artifacts, by input name.
    package var stagedInputs: [String: String]
    /// Host path of the script's source file (script templates).
    package var scriptFile: String?
    /// Host directory standing in for each Secret, by secret name.
    package var secretDirectories: [String: String]

    package init(
        call: PodCall, stagedInputs: [String: String], scriptFile: String?, secretDirectories: [String: String]
    ) {
        self.call = call
        self.stagedInputs = stagedInputs
        self.scriptFile = scriptFile
        self.secretDirectories = secretDirectories
    }

    /// The main container's name.
    package static let mainContainer = "main"

    /// The Pod document.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` when a Secret has no stand-in directory.
    package func pod() throws(KubeError) -> RenderedYAML {
        let template = call.template
        let kind = template["script"] != nil ? "script" : "container"
        var main = template[kind] ?? .mapping([])
        main["source"] = nil
        main["name"] = .string(Self.mainContainer)
        var mounts: [RenderedYAML] = []
        var volumes: [RenderedYAML] = []
        for (index, input) in call.inputArtifacts.enumerated() {
            guard let host = stagedInputs[input.artifact.name] else { continue }
            let volume = "\(call.podName)-input-\(index)"
            volumes.append(.object(["name": .string(volume), "hostPath": .object(["path": .string(host)])]))
            mounts.append(
                .object(["name": .string(volume), "mountPath": .string(input.path), "readOnly": .boolean(true)]))
        }
        for (index, input) in call.rawInputs.enumerated() {
            guard let host = stagedInputs[input.name] else { continue }
            let volume = "\(call.podName)-raw-\(index)"
            volumes.append(.object(["name": .string(volume), "hostPath": .object(["path": .string(host)])]))
            mounts.append(
                .object(["name": .string(volume), "mountPath": .string(input.path), "readOnly": .boolean(true)]))
        }
        if let scriptFile {
            let volume = "\(call.podName)-script"
            volumes.append(
                .object([
                    "name": .string(volume),
                    "hostPath": .object(["path": .string(scriptFile), "type": .string("File")]),
                ]))
            mounts.append(
                .object(["name": .string(volume), "mountPath": .string(Self.scriptPath), "readOnly": .boolean(true)]))
            main["args"] = .sequence((main["args"]?.elements ?? []) + [.string(Self.scriptPath)])
        }
        main.append(mounts, to: "volumeMounts")
        let renamed = Set(
            (template["volumes"]?.elements ?? []).compactMap { volume in
                volume["emptyDir"] != nil ? volume["name"]?.scalarText : nil
            })
        for volume in template["volumes"]?.elements ?? [] {
            var volume = volume
            let name = volume["name"]?.scalarText ?? ""
            if renamed.contains(name) { volume["name"] = .string("\(call.podName)-\(name)") }
            if let configMap = volume["configMap"] {
                let mapName = configMap["name"]?.scalarText ?? ""
                guard let directory = secretDirectories["configMap/" + mapName] else {
                    throw .simulation(
                        reason: "pod '\(call.podName)' mounts ConfigMap '\(mapName)', which has no stand-in")
                }
                volume["configMap"] = nil
                volume["hostPath"] = .object(["path": .string(directory), "type": .string("Directory")])
            }
            if let secret = volume["secret"] {
                let secretName = secret["secretName"]?.scalarText ?? ""
                guard let directory = secretDirectories[secretName] else {
                    throw .simulation(
                        reason: "pod '\(call.podName)' mounts Secret '\(secretName)', which has no stand-in")
                }
                volume["secret"] = nil
                volume["hostPath"] = .object(["path": .string(directory), "type": .string("Directory")])
            }
            volumes.append(volume)
        }
        func renaming(_ container: RenderedYAML) -> RenderedYAML {
            var container = container
            guard let mounts = container["volumeMounts"] else { return container }
            container["volumeMounts"] = .sequence(
                mounts.elements.map { mount in
                    var mount = mount
                    if let name = mount["name"]?.scalarText, renamed.contains(name) {
                        mount["name"] = .string("\(call.podName)-\(name)")
                    }
                    return mount
                })
            return container
        }
        var spec: RenderedYAML = .object(["restartPolicy": .string("Never")])
        let initContainers = (template["initContainers"]?.elements ?? []).map(renaming)
        if !initContainers.isEmpty { spec["initContainers"] = .sequence(initContainers) }
        spec["containers"] = .sequence([renaming(main)] + (template["sidecars"]?.elements ?? []).map(renaming))
        if !volumes.isEmpty { spec["volumes"] = .sequence(volumes) }
        return .object([
            "apiVersion": .string("v1"), "kind": .string("Pod"),
            "metadata": .object(["name": .string(call.podName)]),
            "spec": spec,
        ])
    }
}
