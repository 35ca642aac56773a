package import SluiceExpressions

/// What `sluice wrap` measures and runs, from its arguments (rendered per template by ``PodTemplateWrapper``;
/// Argo substitutes the parameter values into them).
package struct WrapPlan: Sendable, Equatable {
    /// A named path (`NAME=PATH`), possibly optional.
    package struct Path: Sendable, Equatable {
        package var name: String
        package var path: String
        package var optional: Bool

        package init(name: String, path: String, optional: Bool = false) {
            self.name = name
            self.path = path
            self.optional = optional
        }
    }

    package var inputParameters: [ParameterValue] = []
    /// Workflow arguments the template's own fields read (`{{workflow.parameters.NAME}}`), as Argo substituted them:
    /// recorded as unsigned inputs `workflow.parameters.NAME`, as the local gate records them.
    package var workflowParameters: [ParameterValue] = []
    /// Where each input parameter's value came from when no node signed it (``PodLayout/sourceParameter(for:)``).
    package var inputSources: [String: String] = [:]
    package var inputArtifacts: [Path] = []
    package var outputParameters: [Path] = []
    package var outputArtifacts: [Path] = []
    /// Argo's record of each producer's envelope digest, by `KIND-NAME` of the consuming input (empty when the
    /// call site bound none).
    package var lineageDigests: [String: String] = [:]
    /// The user's command and arguments.
    package var command: [String] = []
    package var socketPath = PodLayout.socketPath
    package var envelopePath = PodLayout.envelopePath
    package var envelopeDigestPath = PodLayout.envelopeDigestPath
    package var lineageDirectory = PodLayout.lineageDirectory

    package init() {}

    package static func == (lhs: WrapPlan, rhs: WrapPlan) -> Bool {
        lhs.inputParameters.map { "\($0.name)=\($0.value)" } == rhs.inputParameters.map { "\($0.name)=\($0.value)" }
            && lhs.inputArtifacts == rhs.inputArtifacts && lhs.outputParameters == rhs.outputParameters
            && lhs.outputArtifacts == rhs.outputArtifacts && lhs.lineageDigests == rhs.lineageDigests
            && lhs.command == rhs.command && lhs.socketPath == rhs.socketPath
    }

    /// Splits `NAME=VALUE`.
    ///
    /// - Throws: ``KubeError/badOption(option:reason:)`` without `=` or with an empty name.
    package static func pair(_ text: String, option: String) throws(KubeError) -> ParameterValue {
        guard let parameter = ParameterValue(assignment: text) else {
            throw .badOption(option: option, reason: "'\(text)' is not NAME=VALUE")
        }
        return parameter
    }
}
