import Foundation
import SluiceEngine
package import SluiceSpec

/// Wraps one `container` or `script` template for a governed pod.
///
/// What it adds, and nothing else (every field of the template stays as written):
/// - an init container (`sluice-install`) that copies the wrapper from the wrapper image into an emptyDir;
/// - the main command becomes `sluice wrap [inputs and outputs] -- <command and args as written>`, so Argo's
///   emissary runs the wrapper, which sees the inputs before the user's command and the outputs after it;
/// - a signer sidecar (`sluice-signer`) that alone mounts the Secret with the signing key and fills in the run's and
///   node's identity itself;
/// - outputs: the envelope as an artifact (`sluice-envelope`) and its payload digest as a parameter;
/// - one optional input artifact per input, carrying the envelope of that input's producer.
package struct PodTemplateWrapper: Sendable {
    package var options: KubeRenderOptions
    /// The run facts as the canonical JSON text the signer receives.
    package var runFactsText: String

    package init(options: KubeRenderOptions, runFactsText: String) {
        self.options = options
        self.runFactsText = runFactsText
    }

    /// The template `rendered` (read from `source`) wrapped; `identity` and `digest` name it in lineage.
    ///
    /// - Throws: ``KubeError/cannotWrap(template:reason:at:)`` when no command can be known (no `command:` and the
    ///   image is not in `--runtime-profile`) or a name starts with `sluice-`.
    package func wrap(_ rendered: RenderedYAML, source: YAMLValue, identity: String, digest: String?)
        throws(KubeError) -> RenderedYAML
    {
        let kind = rendered["script"] != nil ? "script" : "container"
        guard var main = rendered[kind] else { return rendered }
        try checkReservedNames(source, identity: identity)
        var template = rendered
        let image = main["image"]?.scalarText
        let argv = try self.argv(of: main, kind: kind, source: source, identity: identity)
        main["command"] = .strings([PodLayout.wrapperPath, "wrap"] + wrapArguments(template) + ["--"] + argv.command)
        if !argv.keepsArgs { main["args"] = nil }
        main.append(
            [
                .object([
                    "name": .string(PodLayout.binVolume), "mountPath": .string(PodLayout.binDirectory),
                    "readOnly": .boolean(true),
                ]),
                .object(["name": .string(PodLayout.sessionVolume), "mountPath": .string(PodLayout.sessionDirectory)]),
                .object(["name": .string(PodLayout.outVolume), "mountPath": .string(PodLayout.outDirectory)]),
            ], to: "volumeMounts")
        template[kind] = main
        template["initContainers"] = .sequence([installContainer] + (template["initContainers"]?.elements ?? []))
        template.append([signerContainer(template, identity: identity, digest: digest, image: image)], to: "sidecars")
        template.append(volumes, to: "volumes")
        addLineageInputs(to: &template)
        addEnvelopeOutputs(to: &template)
        return template
    }

    // MARK: - The main command

    /// The command the wrapper runs after `--`, and whether the template's `args` stay (they follow it) or are
    /// folded into it (a template without `command:`, whose image entrypoint comes from `--runtime-profile`).
    private func argv(of main: RenderedYAML, kind: String, source: YAMLValue, identity: String) throws(KubeError)
        -> (command: [String], keepsArgs: Bool)
    {
        let command = main["command"]?.elements.compactMap(\.scalarText) ?? []
        if !command.isEmpty { return (command, true) }
        let image = main["image"]?.scalarText
        let args = main["args"].map { $0.elements.compactMap(\.scalarText) }
        guard let profile = options.profile, let argv = try? profile.argv(image: image, command: nil, args: args)
        else {
            let named = image.map { "image '\($0)'" } ?? "no image"
            throw .cannotWrap(
                template: identity,
                reason: "its \(kind) gives no command and \(named) is not in --runtime-profile: the wrapper must "
                    + "know what the image would run (give command:, or map the image's entrypoint/cmd in a profile)",
                at: source[kind]?.location ?? source.location)
        }
        return (argv, false)
    }

    /// The wrapper's own arguments: what to hash before and after the user's command.
    private func wrapArguments(_ template: RenderedYAML) -> [String] {
        var arguments: [String] = []
        for kind in ["container", "script"] {
            for name in Self.workflowParameters(in: template[kind]) {
                arguments += ["--workflow-parameter", "\(name)={{workflow.parameters.\(name)}}"]
            }
        }
        for parameter in template["inputs"]?["parameters"]?.elements ?? [] {
            guard let name = parameter["name"]?.scalarText else { continue }
            arguments += ["--input-parameter", "\(name)={{inputs.parameters.\(name)}}"]
        }
        for parameter in template["inputs"]?["parameters"]?.elements ?? [] {
            guard let name = parameter["name"]?.scalarText else { continue }
            arguments += ["--input-source", "\(name)={{inputs.parameters.\(PodLayout.sourceParameter(for: name))}}"]
        }
        for (key, kind) in [("parameters", PodLayout.InputKind.parameter), ("artifacts", .artifact)] {
            for input in template["inputs"]?[key]?.elements ?? [] {
                guard let name = input["name"]?.scalarText else { continue }
                let parameter = PodLayout.lineageDigestParameter(for: name, kind: kind)
                arguments += ["--lineage-digest", "\(kind.rawValue)-\(name)={{inputs.parameters.\(parameter)}}"]
            }
        }
        for artifact in template["inputs"]?["artifacts"]?.elements ?? [] {
            guard let name = artifact["name"]?.scalarText, let path = artifact["path"]?.scalarText else { continue }
            let optional = artifact["optional"]?.scalarText == "true"
            arguments += [optional ? "--optional-input-artifact" : "--input-artifact", "\(name)=\(path)"]
        }
        for parameter in template["outputs"]?["parameters"]?.elements ?? [] {
            guard let name = parameter["name"]?.scalarText, let path = parameter["valueFrom"]?["path"]?.scalarText
            else { continue }
            arguments += ["--output-parameter", "\(name)=\(path)"]
        }
        for artifact in template["outputs"]?["artifacts"]?.elements ?? [] {
            guard let name = artifact["name"]?.scalarText, let path = artifact["path"]?.scalarText else { continue }
            let optional = artifact["optional"]?.scalarText == "true"
            arguments += [optional ? "--optional-output-artifact" : "--output-artifact", "\(name)=\(path)"]
        }
        return arguments
    }

    /// The workflow arguments `{{workflow.parameters.NAME}}` that `value`'s scalars read, sorted, once each.
    static func workflowParameters(in value: RenderedYAML?) -> [String] {
        var names = Set<String>()
        func scan(_ value: RenderedYAML) {
            switch value {
            case .scalar(let text, _):
                var rest = Substring(text)
                while let open = rest.range(of: "{{") {
                    guard let close = rest[open.upperBound...].range(of: "}}") else { break }
                    let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                    if tag.hasPrefix("workflow.parameters.") {
                        names.insert(String(tag.dropFirst("workflow.parameters.".count)))
                    }
                    rest = rest[close.upperBound...]
                }
            case .sequence(let elements): elements.forEach(scan)
            case .mapping(let entries): entries.forEach { scan($0.value) }
            }
        }
        if let value { scan(value) }
        return names.sorted()
    }

    // MARK: - Added containers, volumes, inputs and outputs

    private var installContainer: RenderedYAML {
        .object([
            "name": .string(PodLayout.installContainer),
            "image": .string(options.wrapperImage),
            "command": .strings([PodLayout.imageBinary, "wrap", "--install", PodLayout.installDirectory]),
            "volumeMounts": .sequence([
                .object(["name": .string(PodLayout.binVolume), "mountPath": .string(PodLayout.installDirectory)])
            ]),
        ])
    }

    private func signerContainer(_ template: RenderedYAML, identity: String, digest: String?, image: String?)
        -> RenderedYAML
    {
        var arguments = [
            PodLayout.imageBinary, "signer", "--socket", PodLayout.socketPath,
            "--key", PodLayout.keyDirectory + "/" + PodLayout.keyFileName,
            "--revocations", PodLayout.revocationsDirectory + "/" + PodLayout.revocationsFileName,
            "--node-name", "{{node.name}}", "--template", identity,
        ]
        if let digest { arguments += ["--template-digest", digest] }
        if let image { arguments += ["--image", image] }
        for container in template["initContainers"]?.elements ?? [] {
            guard let name = container["name"]?.scalarText, name != PodLayout.installContainer else { continue }
            arguments += ["--container", "init container/\(name)=\(container["image"]?.scalarText ?? "")"]
        }
        for container in template["sidecars"]?.elements ?? [] {
            guard let name = container["name"]?.scalarText else { continue }
            arguments += ["--container", "sidecar/\(name)=\(container["image"]?.scalarText ?? "")"]
        }
        if template["retryStrategy"] != nil { arguments += ["--retries", "{{retries}}"] }
        arguments += ["--run-facts", runFactsText]
        return .object([
            "name": .string(PodLayout.signerContainer),
            "image": .string(options.wrapperImage),
            "command": .strings(arguments),
            "volumeMounts": .sequence([
                .object(["name": .string(PodLayout.sessionVolume), "mountPath": .string(PodLayout.sessionDirectory)]),
                .object([
                    "name": .string(PodLayout.keyVolume), "mountPath": .string(PodLayout.keyDirectory),
                    "readOnly": .boolean(true),
                ]),
                .object([
                    "name": .string(PodLayout.revocationsVolume), "mountPath": .string(PodLayout.revocationsDirectory),
                    "readOnly": .boolean(true),
                ]),
            ]),
        ])
    }

    private var volumes: [RenderedYAML] {
        [
            .object(["name": .string(PodLayout.binVolume), "emptyDir": .mapping([])]),
            .object(["name": .string(PodLayout.sessionVolume), "emptyDir": .mapping([])]),
            .object(["name": .string(PodLayout.outVolume), "emptyDir": .mapping([])]),
            .object([
                "name": .string(PodLayout.keyVolume),
                "secret": .object(["secretName": .string(options.signerSecret), "defaultMode": .integer(0o400)]),
            ]),
            .object([
                "name": .string(PodLayout.revocationsVolume),
                "configMap": .object([
                    "name": .string(PodLayout.revocationsConfigMap), "optional": .boolean(true),
                ]),
            ]),
        ]
    }

    /// One optional input artifact per input, for the envelope of its producer (bound at the call site).
    private func addLineageInputs(to template: inout RenderedYAML) {
        var inputs = template["inputs"] ?? .mapping([])
        var lineage: [RenderedYAML] = []
        var digests: [RenderedYAML] = []
        for input in inputs["parameters"]?.elements ?? [] {
            guard let name = input["name"]?.scalarText else { continue }
            digests.append(
                .object(["name": .string(PodLayout.sourceParameter(for: name)), "default": .string("literal")]))
        }
        for (key, kind) in [("parameters", PodLayout.InputKind.parameter), ("artifacts", .artifact)] {
            for input in inputs[key]?.elements ?? [] {
                guard let name = input["name"]?.scalarText else { continue }
                digests.append(
                    .object([
                        "name": .string(PodLayout.lineageDigestParameter(for: name, kind: kind)),
                        "default": .string(""),
                    ]))
                lineage.append(
                    .object([
                        "name": .string(PodLayout.lineageArtifact(for: name, kind: kind)),
                        "path": .string(PodLayout.lineagePath(for: name, kind: kind)),
                        "optional": .boolean(true),
                    ]))
            }
        }
        guard !lineage.isEmpty || !digests.isEmpty else { return }
        inputs.append(digests, to: "parameters")
        inputs.append(lineage, to: "artifacts")
        template["inputs"] = inputs
    }

    private func addEnvelopeOutputs(to template: inout RenderedYAML) {
        var outputs = template["outputs"] ?? .mapping([])
        outputs.append(
            [
                .object([
                    "name": .string(PodLayout.envelopeDigestParameter),
                    "valueFrom": .object(["path": .string(PodLayout.envelopeDigestPath), "default": .string("")]),
                ])
            ], to: "parameters")
        outputs.append(
            [
                .object([
                    "name": .string(PodLayout.envelopeArtifact),
                    "path": .string(PodLayout.envelopePath),
                    "optional": .boolean(true),
                    "archive": .object(["none": .mapping([])]),
                ])
            ], to: "artifacts")
        template["outputs"] = outputs
    }

    /// Refuses a template whose own inputs, outputs, containers or volumes use the names rendering adds.
    private func checkReservedNames(_ source: YAMLValue, identity: String) throws(KubeError) {
        let lists: [YAMLValue?] = [
            source["inputs"]?["parameters"], source["inputs"]?["artifacts"], source["outputs"]?["parameters"],
            source["outputs"]?["artifacts"], source["initContainers"], source["sidecars"], source["volumes"],
        ]
        for list in lists {
            for element in list?.elements ?? [] {
                guard let name = element["name"], let text = name.scalarText, text.hasPrefix(PodLayout.reservedPrefix)
                else { continue }
                throw .reservedName(template: identity, name: text, at: name.location)
            }
        }
    }
}
