/// One step of a `steps` template (Argo's `WorkflowStep`).
package struct WorkflowStep: Sendable, Decodable {
    package var name: String
    package var template: String?
    package var templateRef: TemplateReference?
    /// A template written in place (Argo's `inline`); boxed, since it is large and rarely set.
    @Indirect package var inline: Template? = nil
    package var arguments: StepArguments?
    package var when: String?
    package var continueOn: ContinueOn?
    package var withItems: [AnyValue]?
    package var withParam: String?
    package var withSequence: WithSequence?
    package var onExit: String?
    package var hooks: [String: LifecycleHook]?
}

/// `dag` of a template.
package struct DAGTemplate: Sendable, Decodable {
    package var tasks: [DAGTask]
    package var target: String?
    package var failFast: Bool?
}

/// One task of a `dag` template (Argo's `DAGTask`).
package struct DAGTask: Sendable, Decodable {
    package var name: String
    package var template: String?
    package var templateRef: TemplateReference?
    /// A template written in place (Argo's `inline`); boxed, since it is large and rarely set.
    @Indirect package var inline: Template? = nil
    package var arguments: StepArguments?
    package var dependencies: [String]?
    package var depends: String?
    package var when: String?
    package var continueOn: ContinueOn?
    package var withItems: [AnyValue]?
    package var withParam: String?
    package var withSequence: WithSequence?
    package var onExit: String?
    package var hooks: [String: LifecycleHook]?
}
