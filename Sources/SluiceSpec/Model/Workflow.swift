/// An Argo `Workflow`, `WorkflowTemplate` or `ClusterWorkflowTemplate` document (`argoproj.io/v1alpha1`).
///
/// Field names mirror Argo's field reference one to one. Fields that only tune Kubernetes objects are accepted by the
/// loader and not modelled here.
package struct Workflow: Sendable, Decodable {
    package var apiVersion: String
    package var kind: String
    package var metadata: ObjectMeta
    package var spec: WorkflowSpec
}

/// Kubernetes object metadata, as far as a local engine uses it.
package struct ObjectMeta: Sendable, Decodable {
    package var name: String?
    package var generateName: String?
    package var namespace: String?
    package var labels: [String: String]?
    package var annotations: [String: String]?
}

/// `spec` of a Workflow or WorkflowTemplate.
package struct WorkflowSpec: Sendable, Decodable {
    package var entrypoint: String?
    package var arguments: StepArguments?
    package var templates: [Template]
    package var onExit: String?
    package var parallelism: Int?
    package var activeDeadlineSeconds: ArgoString?
    package var workflowTemplateRef: TemplateReference?
    package var hooks: [String: LifecycleHook]?
    /// `spec.synchronization`: locks the whole run holds, acquired before it starts.
    package var synchronization: Synchronization?
    /// `spec.volumes`: volumes every template's pod may mount (only `emptyDir`; each pod gets its own).
    package var volumes: [Volume]?
    /// `spec.podMetadata`: labels and annotations of every pod; its annotations may choose the runtime of every
    /// template that names none (``RuntimeAnnotation``).
    package var podMetadata: PodMetadata?
    /// `spec.retryStrategy`: the retry strategy of every template that declares none (Argo's workflow default).
    package var retryStrategy: RetryStrategy?

    enum CodingKeys: String, CodingKey {
        case entrypoint, arguments, templates, onExit, parallelism, activeDeadlineSeconds, workflowTemplateRef, hooks
        case synchronization
        case volumes
        case podMetadata
        case retryStrategy
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entrypoint = try container.decodeIfPresent(String.self, forKey: .entrypoint)
        arguments = try container.decodeIfPresent(StepArguments.self, forKey: .arguments)
        templates = try container.decodeIfPresent([Template].self, forKey: .templates) ?? []
        onExit = try container.decodeIfPresent(String.self, forKey: .onExit)
        parallelism = try container.decodeIfPresent(Int.self, forKey: .parallelism)
        activeDeadlineSeconds = try container.decodeIfPresent(ArgoString.self, forKey: .activeDeadlineSeconds)
        workflowTemplateRef = try container.decodeIfPresent(TemplateReference.self, forKey: .workflowTemplateRef)
        hooks = try container.decodeIfPresent([String: LifecycleHook].self, forKey: .hooks)
        synchronization = try container.decodeIfPresent(Synchronization.self, forKey: .synchronization)
        volumes = try container.decodeIfPresent([Volume].self, forKey: .volumes)
        podMetadata = try container.decodeIfPresent(PodMetadata.self, forKey: .podMetadata)
        retryStrategy = try container.decodeIfPresent(RetryStrategy.self, forKey: .retryStrategy)
    }

    /// The template with this name, if declared.
    package func template(named name: String) -> Template? {
        templates.first { $0.name == name }
    }
}

/// `templateRef` / `workflowTemplateRef`: a template in another (Cluster)WorkflowTemplate.
package struct TemplateReference: Sendable, Decodable, Equatable {
    package var name: String
    package var template: String?
    package var clusterScope: Bool?
}

/// A scalar that Argo accepts as an int, a bool or a string (`IntOrString`, `AnyString`), kept as its text.
package struct ArgoString: Sendable, Decodable, Equatable, Hashable, CustomStringConvertible {
    package var value: String

    package init(_ value: String) { self.value = value }

    package init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    package var description: String { value }
}

/// A value of any YAML shape (loop items, free-form fields), with scalars kept as their text.
package indirect enum AnyValue: Sendable, Decodable, Equatable, Hashable {
    case string(String)
    case list([AnyValue])
    case map([String: AnyValue])
    case null

    package init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var map: [String: AnyValue] = [:]
            for key in keyed.allKeys { map[key.stringValue] = try keyed.decode(AnyValue.self, forKey: key) }
            self = .map(map)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var list: [AnyValue] = []
            while !unkeyed.isAtEnd { list.append(try unkeyed.decode(AnyValue.self)) }
            self = .list(list)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Accepts any value and keeps nothing: for fields whose presence matters but whose content the engine does not use.
package struct Ignored: Sendable, Decodable, Equatable {
    package init() {}
    package init(from decoder: any Decoder) throws {}
}
