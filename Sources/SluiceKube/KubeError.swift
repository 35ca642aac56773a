package import SluiceSpec

/// What can go wrong rendering a workflow for a cluster, wrapping a node in its pod, or signing for it.
package enum KubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The workflow file is invalid (what `sluice lint` reports).
    case invalidWorkflow(SpecError)
    /// The governance section is invalid or does not admit a key.
    case governance(reason: String)
    /// The governance refuses the submitting or lineage key.
    case submissionRefused(reason: String)
    /// A workflow argument problem (unknown name, no value, not in its enum).
    case parameter(reason: String)
    /// Templates Sluice cannot wrap in a governed pod, refused without `--allow-ungoverned`.
    case unwrappable([Ungoverned])
    /// A template Sluice must wrap cannot be wrapped as written (no command to run, a reserved name).
    case cannotWrap(template: String, reason: String, at: SourceLocation)
    /// A template uses a name rendering reserves (``PodLayout/reservedPrefix``).
    case reservedName(template: String, name: String, at: SourceLocation)
    /// The wrapper/signer session failed (no signer, a closed socket, a malformed message).
    case session(reason: String)
    /// A key or file could not be read.
    case unreadable(path: String, reason: String)
    /// An option's value is malformed.
    case badOption(option: String, reason: String)
    /// `kube simulate` cannot simulate the workflow as written, or podman failed around a pod.
    case simulation(reason: String)
    /// `kube collect` cannot turn what a run left into a bundle.
    case collect(reason: String)

    package var description: String {
        switch self {
        case .invalidWorkflow(let error): error.description
        case .governance(let reason): "governance: \(reason)"
        case .submissionRefused(let reason): "submission refused: \(reason)"
        case .parameter(let reason): reason
        case .unwrappable(let templates): templates.map { $0.error }.joined(separator: "\n")
        case .cannotWrap(let template, let reason, let at):
            "\(at): error: template '\(template)' cannot be wrapped: \(reason)"
        case .reservedName(let template, let name, let at):
            "\(at): error: template '\(template)' uses the name '\(name)': names starting with "
                + "'\(PodLayout.reservedPrefix)' are reserved for what rendering adds"
        case .session(let reason): "signer session: \(reason)"
        case .unreadable(let path, let reason): "cannot read '\(path)': \(reason)"
        case .badOption(let option, let reason): "\(option): \(reason)"
        case .simulation(let reason): "simulate: \(reason)"
        case .collect(let reason): "collect: \(reason)"
        }
    }
}

/// A template that runs on the cluster without Sluice's wrapper: no envelope, no gate.
package struct Ungoverned: Sendable, Equatable {
    /// The template's name (or `TASK (inline)` for an inline template).
    package var template: String
    /// Why it cannot be wrapped: its kind (`resource`, `http`, …) or a `templateRef`.
    package var reason: String
    package var location: SourceLocation

    package init(template: String, reason: String, location: SourceLocation) {
        self.template = template
        self.reason = reason
        self.location = location
    }

    /// The refusal line (`file:line:column: error: …`).
    package var error: String {
        "\(location): error: template '\(template)' \(reason): sluice cannot wrap it in a governed pod "
            + "(pass --allow-ungoverned to render it as is, without lineage)"
    }

    /// The warning line when passed through.
    package var warning: String {
        "\(location): warning: template '\(template)' \(reason): rendered as is, ungoverned (no envelope, no gate)"
    }
}
