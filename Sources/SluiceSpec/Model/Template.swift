/// One entry of `spec.templates`: a unit of work (`container`, `script`) or an orchestration (`steps`, `dag`).
///
/// Its large, optional parts are ``Indirect`` (a pointer each): a template is copied into every call site and node
/// task of a run, and inline they made it over a kilobyte.
package struct Template: Sendable, Decodable {
    /// The template's name; empty for an `inline` template, which Argo lets go unnamed.
    package var name: String
    @Indirect package var inputs: Inputs?
    @Indirect package var outputs: Outputs?
    @Indirect package var container: Container?
    @Indirect package var script: ScriptTemplate?
    package var steps: [[WorkflowStep]]?
    package var dag: DAGTemplate?
    @Indirect package var suspend: SuspendTemplate?
    package var resource: Ignored?
    package var data: Ignored?
    package var http: Ignored?
    @Indirect package var containerSet: ContainerSetTemplate?
    package var plugin: Ignored?
    package var activeDeadlineSeconds: ArgoString?
    package var timeout: ArgoString?
    package var parallelism: Int?
    package var failFast: Bool?
    package var daemon: Bool?
    @Indirect package var retryStrategy: RetryStrategy?
    /// `memoize`: reuse an earlier node's outputs (and envelope) for the same cache key.
    @Indirect package var memoize: Memoize?
    /// `synchronization`: mutexes and semaphores held while the node runs.
    @Indirect package var synchronization: Synchronization?
    /// `sidecars`: containers started with the main container and stopped when it ends.
    package var sidecars: [Container]?
    /// `initContainers`: containers run one after another, each to success, before the main container starts.
    package var initContainers: [Container]?
    /// `volumes` of this template's pod (only `emptyDir` is supported).
    package var volumes: [Volume]?
    /// `metadata` of this template's pod: its annotations may choose the runtime (``RuntimeAnnotation``).
    @Indirect package var metadata: PodMetadata?
    /// The document a template found through `templateRef` comes from (`WorkflowTemplate/NAME` or
    /// `ClusterWorkflowTemplate/NAME`); nil for the workflow's own templates. Not read from YAML.
    package var origin: String? = nil

    /// The template's identity in lineage and constraints: its name for the workflow's own templates,
    /// `WorkflowTemplate/DOCUMENT/NAME` (or `ClusterWorkflowTemplate/…`) for one found through `templateRef`, so that
    /// another document's `train` is not this workflow's `train`.
    package var identity: String { origin.map { "\($0)/\(name)" } ?? name }

    enum CodingKeys: String, CodingKey {
        case name, inputs, outputs, container, script, steps, dag, suspend, resource, data, http, containerSet, plugin,
            activeDeadlineSeconds, timeout, parallelism, failFast, daemon, retryStrategy, memoize, synchronization,
            sidecars, initContainers, volumes
        case metadata
    }

    package init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        name = try values.decodeIfPresent(String.self, forKey: .name) ?? ""
        inputs = try values.decodeIfPresent(Inputs.self, forKey: .inputs)
        outputs = try values.decodeIfPresent(Outputs.self, forKey: .outputs)
        self.container = try values.decodeIfPresent(Container.self, forKey: .container)
        script = try values.decodeIfPresent(ScriptTemplate.self, forKey: .script)
        steps = try values.decodeIfPresent([[WorkflowStep]].self, forKey: .steps)
        dag = try values.decodeIfPresent(DAGTemplate.self, forKey: .dag)
        suspend = try values.decodeIfPresent(SuspendTemplate.self, forKey: .suspend)
        resource = try values.decodeIfPresent(Ignored.self, forKey: .resource)
        data = try values.decodeIfPresent(Ignored.self, forKey: .data)
        http = try values.decodeIfPresent(Ignored.self, forKey: .http)
        containerSet = try values.decodeIfPresent(ContainerSetTemplate.self, forKey: .containerSet)
        plugin = try values.decodeIfPresent(Ignored.self, forKey: .plugin)
        activeDeadlineSeconds = try values.decodeIfPresent(ArgoString.self, forKey: .activeDeadlineSeconds)
        timeout = try values.decodeIfPresent(ArgoString.self, forKey: .timeout)
        parallelism = try values.decodeIfPresent(Int.self, forKey: .parallelism)
        failFast = try values.decodeIfPresent(Bool.self, forKey: .failFast)
        daemon = try values.decodeIfPresent(Bool.self, forKey: .daemon)
        retryStrategy = try values.decodeIfPresent(RetryStrategy.self, forKey: .retryStrategy)
        memoize = try values.decodeIfPresent(Memoize.self, forKey: .memoize)
        synchronization = try values.decodeIfPresent(Synchronization.self, forKey: .synchronization)
        sidecars = try values.decodeIfPresent([Container].self, forKey: .sidecars)
        initContainers = try values.decodeIfPresent([Container].self, forKey: .initContainers)
        volumes = try values.decodeIfPresent([Volume].self, forKey: .volumes)
        metadata = try values.decodeIfPresent(PodMetadata.self, forKey: .metadata)
    }

    /// The kind of work this template describes.
    package enum Kind: String, Sendable, Equatable {
        case container, script, steps, dag, suspend, resource, data, http, containerSet, plugin
    }

    /// Every kind this template declares (a valid template declares exactly one).
    package var declaredKinds: [Kind] {
        var kinds: [Kind] = []
        if container != nil { kinds.append(.container) }
        if script != nil { kinds.append(.script) }
        if steps != nil { kinds.append(.steps) }
        if dag != nil { kinds.append(.dag) }
        if suspend != nil { kinds.append(.suspend) }
        if resource != nil { kinds.append(.resource) }
        if data != nil { kinds.append(.data) }
        if http != nil { kinds.append(.http) }
        if containerSet != nil { kinds.append(.containerSet) }
        if plugin != nil { kinds.append(.plugin) }
        return kinds
    }

    /// The single kind of this template, or nil when it declares none or several.
    package var kind: Kind? {
        let kinds = declaredKinds
        return kinds.count == 1 ? kinds[0] : nil
    }
}

/// `container`: an image and a command (also a sidecar or one container of a `containerSet`).
package struct Container: Sendable, Decodable {
    /// The container's name: required for sidecars and `containerSet` containers, optional otherwise.
    package var name: String?
    package var image: String?
    package var command: [String]?
    package var args: [String]?
    package var env: [EnvVar]?
    package var workingDir: String?
    package var imagePullPolicy: String?
    package var resources: ResourceRequirements?
    package var securityContext: SecurityContext?
    /// Volumes mounted into the container (`emptyDir` only).
    package var volumeMounts: [VolumeMount]?
    /// In a `containerSet`: the containers that must succeed before this one starts.
    package var dependencies: [String]?
    /// For a sidecar: mount the main container's `volumeMounts` too (Argo's `mirrorVolumeMounts`).
    package var mirrorVolumeMounts: Bool?
    /// Kubernetes' readiness probe: a daemon's dependents start once it passes.
    package var readinessProbe: Probe?
}

/// A Kubernetes probe (`readinessProbe`): one of `httpGet`, `tcpSocket` or `exec`, and its timing.
package struct Probe: Sendable, Decodable, Equatable {
    /// `httpGet`: a GET that answers 200-399.
    package struct HTTPGet: Sendable, Decodable, Equatable {
        package var path: String?
        package var port: ArgoString
        package var host: String?
        package var scheme: String?
    }

    /// `tcpSocket`: a port that accepts a connection.
    package struct TCPSocket: Sendable, Decodable, Equatable {
        package var port: ArgoString
        package var host: String?
    }

    /// `exec`: a command that exits 0.
    package struct Exec: Sendable, Decodable, Equatable {
        package var command: [String]
    }

    package var httpGet: HTTPGet?
    package var tcpSocket: TCPSocket?
    package var exec: Exec?
    package var initialDelaySeconds: Int?
    package var periodSeconds: Int?
    package var timeoutSeconds: Int?
}

/// `script`: a container whose `source` is written to a file and run by `command`.
package struct ScriptTemplate: Sendable, Decodable {
    package var image: String?
    package var command: [String]?
    package var args: [String]?
    package var env: [EnvVar]?
    package var workingDir: String?
    package var imagePullPolicy: String?
    package var resources: ResourceRequirements?
    package var securityContext: SecurityContext?
    /// Volumes mounted into the container (`emptyDir` only).
    package var volumeMounts: [VolumeMount]?
    /// Kubernetes' readiness probe: a daemon's dependents start once it passes.
    package var readinessProbe: Probe?
    /// The program to stage and run; Argo accepts a script without one (it then runs like a container).
    package var source: String?
}

/// `metadata` of a template's pod, or the workflow's `spec.podMetadata`: labels and annotations.
package struct PodMetadata: Sendable, Decodable, Equatable {
    package var labels: [String: String]?
    package var annotations: [String: String]?

    package init(labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.labels = labels
        self.annotations = annotations
    }
}

/// An environment variable of a container.
package struct EnvVar: Sendable, Decodable, Equatable {
    package var name: String
    package var value: String?
    package var valueFrom: Ignored?
}

/// `inputs` of a template.
package struct Inputs: Sendable, Decodable {
    package var parameters: [Parameter]?
    package var artifacts: [Artifact]?
}

/// `outputs` of a template.
package struct Outputs: Sendable, Decodable {
    package var parameters: [Parameter]?
    package var artifacts: [Artifact]?
}

/// `arguments` of a workflow, step or task (Argo's `Arguments`).
package struct StepArguments: Sendable, Decodable {
    package var parameters: [Parameter]?
    package var artifacts: [Artifact]?

    package init(parameters: [Parameter]? = nil, artifacts: [Artifact]? = nil) {
        self.parameters = parameters
        self.artifacts = artifacts
    }
}

/// A parameter: an input, an output or an argument.
package struct Parameter: Sendable, Decodable, Equatable {
    package var name: String
    package var value: ArgoString?
    package var `default`: ArgoString?
    package var `enum`: [ArgoString]?
    package var valueFrom: ValueFrom?
    package var globalName: String?
    package var description: String?

    package init(name: String, value: ArgoString? = nil) {
        self.name = name
        self.value = value
    }
}

/// `valueFrom` of an output parameter.
package struct ValueFrom: Sendable, Decodable, Equatable {
    package var path: String?
    package var `default`: ArgoString?
    package var expression: String?
    package var parameter: String?
    package var jsonPath: String?
    package var supplied: Ignored?
}

/// An artifact: an input, an output or an argument.
package struct Artifact: Sendable, Decodable, Equatable {
    package var name: String
    package var path: String?
    package var from: String?
    package var fromExpression: String?
    package var raw: RawArtifact?
    package var optional: Bool?
    package var subPath: String?
    package var mode: Int?
    package var globalName: String?
    package var archive: ArchiveStrategy?
    package var http: HTTPArtifact?
    package var git: GitArtifact?
    package var s3: Ignored?
}

/// `raw`: an artifact whose content is given inline.
package struct RawArtifact: Sendable, Decodable, Equatable {
    package var data: String
}

/// `continueOn` of a step or task.
package struct ContinueOn: Sendable, Decodable, Equatable {
    package var failed: Bool?
    package var error: Bool?

    package init(failed: Bool? = nil, error: Bool? = nil) {
        self.failed = failed
        self.error = error
    }
}

/// `withSequence` of a step or task (Argo's `Sequence`).
package struct WithSequence: Sendable, Decodable, Equatable {
    package var count: ArgoString?
    package var start: ArgoString?
    package var end: ArgoString?
    package var format: String?
}

/// `resources` of a container: only `limits` matter to a local runtime.
package struct ResourceRequirements: Sendable, Decodable, Equatable {
    package var limits: [String: ArgoString]?
    package var requests: [String: ArgoString]?
}

/// `securityContext` of a container, as far as a local container runtime can honour it.
package struct SecurityContext: Sendable, Decodable, Equatable {
    package var runAsUser: Int?
    package var runAsGroup: Int?
    package var runAsNonRoot: Bool?
}

/// `retryStrategy` of a template.
package struct RetryStrategy: Sendable, Decodable, Equatable {
    /// Retries after the first attempt; nil retries without end (Argo's behaviour).
    package var limit: ArgoString?
    /// `Always`, `OnFailure` (the default), `OnError`, `OnTransientError`.
    package var retryPolicy: String?
    package var backoff: Backoff?
    /// An expression over `lastRetry.*` that must hold for another attempt.
    package var expression: String?
}

/// `retryStrategy.backoff`.
package struct Backoff: Sendable, Decodable, Equatable {
    package var duration: ArgoString?
    package var factor: ArgoString?
    package var maxDuration: ArgoString?
    /// The longest single wait between attempts.
    package var cap: ArgoString?
}

/// A lifecycle hook (`hooks.exit`, or a hook with an `expression`).
package struct LifecycleHook: Sendable, Decodable {
    package var template: String?
    package var templateRef: TemplateReference?
    package var arguments: StepArguments?
    package var expression: String?
}
