/// Everything a runtime needs to run one node once: the command, its exact environment, its filesystem and logs.
///
/// The engine resolves Argo's `command` + `args` into `executable` + `arguments` and builds `environment` from the
/// template's `env` plus what the engine passes (at least `PATH`); the engine's own environment is never inherited.
package struct NodeInvocation: Sendable {
    /// The run the node belongs to, for messages.
    package var runName: String
    /// The node's name, used in every error message.
    package var nodeName: String
    /// `argv[0]` as written in the template; without a `/` it is looked up in the `PATH` of `environment`, in the
    /// node's view of the filesystem.
    package var executable: String
    /// The remaining arguments, passed verbatim.
    package var arguments: [String]
    /// The exact environment of the child; nothing else is added.
    package var environment: [String: String]
    /// The in-sandbox working directory; `nil` means ``SandboxLayout/defaultWorkingDirectory`` (created).
    package var workingDirectory: String?
    /// The node's filesystem.
    package var sandbox: SandboxLayout
    /// Host file receiving the child's standard output (created 0600, truncated; the child writes it directly).
    package var stdoutPath: String
    /// Host file receiving the child's standard error; may equal `stdoutPath` to interleave both.
    package var stderrPath: String
    /// When exceeded, the node's process group gets SIGTERM, then SIGKILL after a 2 s grace; `nil` = no limit.
    package var timeout: Duration?
    /// The image and container fields, for container runtimes (nil when the template names no image).
    package var container: ContainerSettings?
    /// Called as soon as the runtime has started something for the node that could outlive the engine (its process
    /// group, or its container's name just before `run`), so that whoever resumes a run after the engine died can
    /// kill it; not called for what ends with the engine anyway (a node of the ``SandboxServer``). Must return
    /// quickly.
    package var onSpawn: (@Sendable (SpawnedNode) -> Void)? = nil

    /// Creates an invocation; see the properties for each parameter.
    package init(
        runName: String,
        nodeName: String,
        executable: String,
        arguments: [String],
        environment: [String: String],
        workingDirectory: String? = nil,
        sandbox: SandboxLayout,
        stdoutPath: String,
        stderrPath: String,
        timeout: Duration? = nil,
        container: ContainerSettings? = nil
    ) {
        self.runName = runName
        self.nodeName = nodeName
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.sandbox = sandbox
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.timeout = timeout
        self.container = container
    }
}
