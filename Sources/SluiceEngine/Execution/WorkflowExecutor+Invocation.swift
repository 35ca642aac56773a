import Foundation
import SluiceExpressions
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore

/// Preparing what a pod runs: its container rendered, its output layout, its inputs bound.
extension WorkflowExecutor {
    /// What a pod's main container runs, rendered: image, command and args (with `$(VAR)` expanded), its own
    /// environment, working directory and script source, and the fields the runtime needs.
    struct RenderedContainer {
        var image: String?
        var command: [String]?
        var args: [String]?
        var environment: KubernetesExpansion.Environment
        var workingDir: String?
        var source: String?
        var pullPolicy: String?
        var resources: ResourceRequirements?
        var security: SecurityContext?
        var volumeMounts: [VolumeMount]
    }

    /// The invocation of a pod's main container (a containerSet's `main`, else its first container).
    ///
    /// `podDirectory` holds the pod's `emptyDir` volumes; nil means `nodeDirectory` (a pod of one container).
    func prepareInvocation(
        _ template: Template, node: NodeState, scope: VariableScope, inputs: ResolvedInputs, nodeDirectory: String,
        runName: String, podDirectory: String? = nil
    ) throws(EngineError) -> (NodeInvocation, [String], String?, Set<ValueSource>) {
        let template = try Self.mainContainerTemplate(of: template)
        var renderer = Renderer(scope: scope)
        let where_ = "template '\(template.name)' (node '\(node.displayName)')"
        let rendered = try Self.renderContainer(of: template, renderer: &renderer, where: where_)
        let (renderedCommand, renderedArgs, source) = (rendered.command, rendered.args, rendered.source)
        // The process runtime runs a host command (the runtime profile stands in for image entrypoints); container
        // runtimes run the image with Kubernetes' command/args rules.
        let argv: [String] =
            runtime.kind == RuntimeKind.process.rawValue
            ? try runtimeProfile.argv(image: rendered.image, command: renderedCommand, args: renderedArgs)
            : (renderedCommand ?? []) + (renderedArgs ?? [])
        let container = rendered.image.map {
            ContainerSettings(
                image: $0, command: renderedCommand, args: renderedArgs, imagePullPolicy: rendered.pullPolicy,
                cpuLimit: rendered.resources?.limits?["cpu"]?.value,
                memoryLimit: rendered.resources?.limits?["memory"]?.value, runAsUser: rendered.security?.runAsUser,
                runAsGroup: rendered.security?.runAsGroup, runAsNonRoot: rendered.security?.runAsNonRoot)
        }
        let environment = nodeEnvironment(rendered.environment)

        // The node's private filesystem: /tmp and the directories of declared outputs; inputs bound read-only. The
        // node's directory is made by what needs it (a staged script, a volume, a private path backed on the host,
        // a log the node writes to): a node that needs none of them leaves nothing behind.
        let commandText = ((renderedCommand ?? []) + (renderedArgs ?? []) + [source ?? ""]).joined(separator: "\n")
        var (privatePaths, fileBinds, declaredOutputs) = try outputLayout(
            of: template, commandText: commandText, renderer: &renderer, nodeDirectory: nodeDirectory, where: where_)
        let renderedWorkingDir = rendered.workingDir
        // A workingDir missing from the host's filesystem is created, as a container runtime creates it: a private
        // directory of the node.
        if let directory = renderedWorkingDir, directory.hasPrefix("/"), runtime.isolation == .bubblewrap,
            !FileManager.default.fileExists(atPath: directory),
            !privatePaths.contains(where: { directory == $0 || directory.hasPrefix($0 + "/") })
        {
            privatePaths.append(directory)
        }
        var binds = try inputBinds(
            inputs, declaredOutputs: declaredOutputs, renderer: &renderer, nodeDirectory: nodeDirectory,
            where: where_, writable: &fileBinds)
        if let source { binds.append(try Self.stageScript(source, nodeDirectory: nodeDirectory, where: where_)) }
        let volumes = try volumeBinds(
            rendered.volumeMounts, of: template, podDirectory: podDirectory ?? nodeDirectory, renderer: &renderer)
        var layout = SandboxLayout(
            nodeDirectory: nodeDirectory, privatePaths: privatePaths,
            readOnlyBinds: binds + volumes.readOnly, hiddenPaths: hiddenPaths,
            writableBinds: volumes.writable + fileBinds)
        // What collectOutputs and reportedProgress read after the node; the rest of its private paths may be tmpfs.
        layout.readBackPaths = Self.readBackPaths(
            declaredOutputs, workingDirectory: renderedWorkingDir,
            defaultWorkingDirectory: layout.defaultWorkingDirectory)
        layout.progressFile = environment["ARGO_PROGRESS_FILE"]
        let timeout = try deadline(of: template, renderer: &renderer, where: where_)
        let invocation = NodeInvocation(
            runName: runName, nodeName: node.displayName, executable: argv.first ?? "",
            arguments: Array(argv.dropFirst()),
            environment: environment, workingDirectory: renderedWorkingDir,
            sandbox: layout, stdoutPath: nodeDirectory + "/" + StateLayout.standardOutputLog,
            stderrPath: nodeDirectory + "/" + StateLayout.standardErrorLog,
            timeout: timeout, container: container)
        return (invocation, argv, rendered.image, renderer.sources)
    }

    /// The node's environment: the host's (``hostEnvironment``), the container's `env` over it, and Argo's
    /// `ARGO_PROGRESS_FILE` (the node writes `N/M` lines to it).
    private func nodeEnvironment(_ containerEnvironment: KubernetesExpansion.Environment) -> [String: String] {
        var environment = hostEnvironment
        for (name, value) in containerEnvironment.values { environment[name] = value }
        if let file = progressFile(
            in: environment, templateSetsIt: containerEnvironment.values["ARGO_PROGRESS_FILE"] != nil)
        {
            environment["ARGO_PROGRESS_FILE"] = file
        }
        return environment
    }

    /// Writes a script template's source into the node's directory, executable as Argo stages it (`command: [sh,
    /// -c]` runs the path itself), and returns its read-only bind at ``scriptPath``.
    private static func stageScript(_ source: String, nodeDirectory: String, where where_: String)
        throws(EngineError) -> SandboxLayout.Bind
    {
        let scriptFile = nodeDirectory + "/script"
        try makeNodeDirectory(nodeDirectory)
        // Not Foundation's write: its descriptor is inherited by whatever the engine spawns meanwhile, and a script
        // held open for writing by another node's process cannot be executed (ETXTBSY); it also fsyncs every file.
        if let failure = HostFiles.writeUnsynced(Array(source.utf8), to: scriptFile)
            ?? (chmod(scriptFile, 0o755) == 0 ? nil : String(cString: strerror(errno)))
        {
            throw .stateUnavailable(reason: "cannot stage the script of \(where_): \(failure)")
        }
        return SandboxLayout.Bind(hostPath: scriptFile, sandboxPath: scriptPath)
    }

    /// The paths read after the node: its declared outputs, absolute (a top-level one also under the default
    /// working directory, where ``topLevelOutputFallback`` may read it instead).
    private static func readBackPaths(
        _ declaredOutputs: [String], workingDirectory: String?, defaultWorkingDirectory: String
    ) -> [String] {
        declaredOutputs.flatMap { path in
            let absolute = DeclaredPath.absolute(path, workingDirectory: workingDirectory ?? defaultWorkingDirectory)
            let isTopLevel = (absolute as NSString).deletingLastPathComponent == "/"
            return isTopLevel ? [absolute, defaultWorkingDirectory + absolute] : [absolute]
        }
    }

    /// Renders the main container's fields (a script's source included) as the node will run them.
    static func renderContainer(
        of template: Template, renderer: inout Renderer, where where_: String
    ) throws(EngineError) -> RenderedContainer {
        let image: String?
        let command: [String]?
        let args: [String]?
        let env: [EnvVar]
        let workingDir: String?
        let pullPolicy: String?
        let resources: ResourceRequirements?
        let security: SecurityContext?
        var source: String?
        let volumeMounts: [VolumeMount]
        if let script = template.script {
            volumeMounts = script.volumeMounts ?? []
            pullPolicy = script.imagePullPolicy
            resources = script.resources
            security = script.securityContext
            image = script.image
            // Without a source (or with an empty one) Argo runs the script's container as it is.
            let hasSource = !(script.source ?? "").isEmpty
            command = script.command ?? (hasSource ? ["sh"] : nil)
            args = script.args
            env = script.env ?? []
            workingDir = script.workingDir
            if hasSource { source = try renderer.renderOptional(script.source, context: "source of \(where_)") }
        } else if let container = template.container {
            volumeMounts = container.volumeMounts ?? []
            pullPolicy = container.imagePullPolicy
            resources = container.resources
            security = container.securityContext
            image = container.image
            command = container.command
            args = container.args
            env = container.env ?? []
            workingDir = container.workingDir
        } else {
            preconditionFailure("runPod called for a template that is neither container nor script")
        }
        let renderedImage = try renderer.renderOptional(image, context: "image of \(where_)")
        var renderedCommand: [String]?
        if let command {
            renderedCommand = []
            for part in command { renderedCommand?.append(try renderer.render(part, context: "command of \(where_)")) }
        }
        var renderedArgs: [String]?
        if let args {
            renderedArgs = []
            for part in args { renderedArgs?.append(try renderer.render(part, context: "args of \(where_)")) }
        }
        if source != nil { renderedArgs = (renderedArgs ?? []) + [Self.scriptPath] }
        // Kubernetes expands `$(NAME)` in command and args from the container's own env.
        let containerEnvironment = try KubernetesExpansion.environment(env) { variable throws(EngineError) in
            try renderer.render(variable.value ?? "", context: "env \(variable.name) of \(where_)")
        }
        renderedCommand = renderedCommand?.map { KubernetesExpansion.expand($0, in: containerEnvironment) }
        renderedArgs = renderedArgs?.map { KubernetesExpansion.expand($0, in: containerEnvironment) }
        let renderedWorkingDir = try renderer.renderOptional(workingDir, context: "workingDir")
        return RenderedContainer(
            image: renderedImage, command: renderedCommand, args: renderedArgs, environment: containerEnvironment,
            workingDir: renderedWorkingDir, source: source, pullPolicy: pullPolicy, resources: resources,
            security: security, volumeMounts: volumeMounts)
    }

    /// Where a pod's declared outputs live: `/tmp` and the parents of output paths as private directories, a
    /// private host file bound at each output directly under `/` (unless the command writes inside it), and every
    /// declared output path.
    private func outputLayout(
        of template: Template, commandText: String, renderer: inout Renderer, nodeDirectory: String,
        where where_: String
    ) throws(EngineError) -> (privatePaths: [String], fileBinds: [SandboxLayout.Bind], declared: [String]) {
        var privatePaths = ["/tmp"]
        var outputPaths: [String] = []
        // An output parameter directly under `/` (`/output`) is a file: bind a private, empty host file there.
        var fileBinds: [SandboxLayout.Bind] = []
        for parameter in template.outputs?.parameters ?? [] {
            if let path = parameter.valueFrom?.path {
                let rendered = try Self.plainPath(
                    try renderer.render(path, context: "output parameter path of \(where_)"), output: parameter.name)
                let parent = (rendered as NSString).deletingLastPathComponent
                if rendered.hasPrefix("/"), parent == "/", runtime.isolation != .none,
                    !fileBinds.contains(where: { $0.sandboxPath == rendered })
                {
                    fileBinds.append(try Self.topLevelFileBind(rendered, nodeDirectory: nodeDirectory, where: where_))
                    continue
                }
                outputPaths.append(rendered)
            }
        }
        // An output artifact directly under `/` is a file too, unless the command writes inside it.
        var declaredOutputs: [String] = outputPaths + fileBinds.map(\.sandboxPath)
        for artifact in template.outputs?.artifacts ?? [] {
            if let path = artifact.path {
                let rendered = try Self.plainPath(
                    try renderer.render(path, context: "output artifact path of \(where_)"), output: artifact.name)
                declaredOutputs.append(rendered)
                if runtime.isolation != .none, Self.isTopLevelFile(rendered, commandText: commandText) {
                    if !fileBinds.contains(where: { $0.sandboxPath == rendered }) {
                        fileBinds.append(
                            try Self.topLevelFileBind(rendered, nodeDirectory: nodeDirectory, where: where_))
                    }
                    continue
                }
                outputPaths.append(rendered)
            }
        }
        for path in outputPaths {
            guard path.hasPrefix("/") else { continue }
            let parent = (path as NSString).deletingLastPathComponent
            let directory = parent == "/" || parent.isEmpty ? path : parent
            if !privatePaths.contains(where: { directory == $0 || directory.hasPrefix($0 + "/") }) {
                privatePaths.append(directory)
            }
        }
        return (privatePaths, fileBinds, declaredOutputs)
    }

    /// The read-only binds of a pod's input artifacts; an input the node also writes as an output gets a private
    /// writable copy instead (appended to `writable`), whose final content is what is saved.
    private func inputBinds(
        _ inputs: ResolvedInputs, declaredOutputs: [String], renderer: inout Renderer, nodeDirectory: String,
        where where_: String, writable: inout [SandboxLayout.Bind]
    ) throws(EngineError) -> [SandboxLayout.Bind] {
        var binds: [SandboxLayout.Bind] = []
        var copies = 0
        for artifact in inputs.artifacts {
            guard let path = artifact.path else { continue }
            let rendered = try renderer.render(path, context: "input artifact path of \(where_)")
            guard DeclaredPath.isPlain(rendered) else {
                throw .artifactUnavailable(
                    name: artifact.name, reason: "path '\(rendered)' must not have '..' segments")
            }
            let hostPath =
                artifact.subPath.map { artifact.reference.storedPath + "/" + $0 } ?? artifact.reference.storedPath
            if runtime.isolation != .none, Self.isAlsoOutput(rendered, outputPaths: declaredOutputs) {
                let copy = try Self.writableCopy(
                    of: hostPath, name: artifact.name, index: copies, nodeDirectory: nodeDirectory)
                copies += 1
                writable.append(SandboxLayout.Bind(hostPath: copy, sandboxPath: rendered))
                continue
            }
            binds.append(SandboxLayout.Bind(hostPath: hostPath, sandboxPath: rendered))
        }
        return binds
    }

    /// `activeDeadlineSeconds` (seconds) or `timeout` (a Go duration such as `30s`, `1m30s`), whichever is shorter.
    private func deadline(of template: Template, renderer: inout Renderer, where context: String)
        throws(EngineError) -> Duration?
    {
        var limits: [Duration] = []
        if let text = try renderer.renderOptional(
            template.activeDeadlineSeconds?.value, context: "activeDeadlineSeconds")
        {
            limits.append(try Durations.parse(seconds: text, field: "activeDeadlineSeconds", context: context))
        }
        if let text = try renderer.renderOptional(template.timeout?.value, context: "timeout") {
            limits.append(try Durations.parse(text, field: "timeout", context: context))
        }
        return limits.min()
    }
}

extension WorkflowExecutor {
    /// Creates a node's private directory (0700) unless it exists, with one `mkdir` when its parent exists; its
    /// missing parents are made 0700 too. Called before the engine writes anything in it.
    ///
    /// - Throws: ``EngineError/stateUnavailable(reason:)`` when it cannot be created.
    static func makeNodeDirectory(_ path: String) throws(EngineError) {
        if let failure = HostFiles.makePrivateDirectory(path) {
            throw .stateUnavailable(reason: "cannot create '\(path)': \(failure)")
        }
    }
}
