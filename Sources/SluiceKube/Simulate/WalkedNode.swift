/// The phase of a node, as Argo's `status.nodes[].phase` spells it.
package enum WalkPhase: String, Sendable, Equatable {
    case succeeded = "Succeeded"
    case failed = "Failed"
    case error = "Error"
    case skipped = "Skipped"
    case omitted = "Omitted"

    /// Whether dependents of a node in this phase may run (`dependencies:` semantics: Succeeded or Skipped).
    var letsDependentsRun: Bool { self == .succeeded || self == .skipped }
}

/// A named string value (a parameter), in declaration order.
package struct NamedValue: Sendable, Equatable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An artifact in the stand-in artifact repository: its key (a path relative to the repository directory) and
/// whether it is stored as Argo's default archive (a gzipped tar holding the file or directory under its base
/// name) or as written (`archive: {none: {}}`).
package struct RepositoryArtifact: Sendable, Equatable {
    package var name: String
    package var key: String
    package var isArchive: Bool

    package init(name: String, key: String, isArchive: Bool) {
        self.name = name
        self.key = key
        self.isArchive = isArchive
    }
}

/// What a pod left: its output parameters, artifacts (in the repository), `result` and exit code.
package struct PodOutputs: Sendable, Equatable {
    package var parameters: [NamedValue] = []
    package var artifacts: [RepositoryArtifact] = []
    package var result: String?
    package var exitCode: Int32?

    package init() {}

    /// The value of output parameter `name`.
    package func parameter(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
    /// The output artifact `name`.
    package func artifact(_ name: String) -> RepositoryArtifact? { artifacts.first { $0.name == name } }
}

/// One node of a simulated run, as `argo get -o json` shows it under `status.nodes`.
package struct WalkedNode: Sendable, Equatable {
    /// Argo's node types used here.
    package enum Kind: String, Sendable, Equatable {
        case pod = "Pod"
        case dag = "DAG"
        case steps = "Steps"
        case stepGroup = "StepGroup"
        case taskGroup = "TaskGroup"
        case retry = "Retry"
        case skipped = "Skipped"
    }

    package var id: String
    package var name: String
    package var displayName: String
    package var kind: Kind
    package var templateName: String?
    package var phase: WalkPhase
    package var message: String?
    package var children: [String] = []
    package var inputParameters: [NamedValue] = []
    package var inputArtifacts: [RepositoryArtifact] = []
    package var outputs: PodOutputs?
    /// The pod that ran it (Pod nodes).
    package var podName: String?
    package var startedAt: String?
    package var finishedAt: String?

    package init(id: String, name: String, displayName: String, kind: Kind, templateName: String?, phase: WalkPhase) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.kind = kind
        self.templateName = templateName
        self.phase = phase
    }
}
