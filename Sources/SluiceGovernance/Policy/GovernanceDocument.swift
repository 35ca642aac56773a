import Foundation

/// The governance a workflow carries (`spec.governance`, or the annotation `sluice.dev/governance`), schema
/// `sluice.dev/governance/v1`: who may submit it and sign its lineage, which rules every node must satisfy, and
/// what is revoked.
///
/// ```yaml
/// governance:
///   version: sluice.dev/governance/v1
///   authorities:
///     - {name: platform, publicKey: "<PEM or hex>", roles: [submit, sign, delegate]}
///   delegations:
///     - {name: ci, from: platform, publicKey: "<PEM or hex>", roles: [sign], attestation: "<DSSE JSON>"}
///   constraints:
///     - name: models-come-from-training
///       appliesTo: {templates: [deploy]}
///       inputs: {fromTemplates: [train], signedBy: [platform, ci], fromParameters: [threshold]}
///       images: {allowed: ["registry.example/*"], pinned: true}
///       maxChainDepth: 5
///       require: "all(inputs, {.producer.template == 'train'})"
///   compatibleConstraints: ["sha256:<hex>"]
///   revocations:
///     - {key: "<keyid>", reason: "laptop stolen"}
/// ```
///
/// The document is read from its canonical JSON, so the digest the submission attestation signs and the document
/// the engine enforces are the same bytes. YAML scalars arrive as strings; numbers and Booleans are accepted in
/// either form.
package struct GovernanceDocument: Sendable, Equatable {
    /// The only schema version this engine reads.
    package static let version = "sluice.dev/governance/v1"

    /// What a key may do.
    package enum Role: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
        /// Sign the submission attestation of a run (the root of the trust slope).
        case submit
        /// Sign nodes' lineage envelopes.
        case sign
        /// Admit other keys through delegation attestations, for roles it holds itself.
        case delegate

        package static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// A named key listed in the governance itself.
    package struct Authority: Sendable, Equatable {
        package var name: String
        package var key: PublicKey
        package var roles: Set<Role>
    }

    /// A key admitted by another authority or delegate, proven by an attestation the delegator signed.
    package struct Delegation: Sendable, Equatable {
        package var name: String
        /// The authority or delegation that admits the key.
        package var from: String
        package var key: PublicKey
        package var roles: Set<Role>
        /// The DSSE envelope JSON of the delegation attestation.
        package var attestation: [UInt8]
    }

    /// Which nodes a constraint governs; both lists empty means every node.
    package struct Scope: Sendable, Equatable {
        package var templates: [String]
        package var tasks: [String]

        /// Every node.
        package static let all = Scope(templates: [], tasks: [])

        /// Whether the scope is every node.
        package var isAll: Bool { templates.isEmpty && tasks.isEmpty }

        /// Whether a node running `template` as task/step `task` is governed.
        package func applies(template: String, task: String) -> Bool {
            if templates.isEmpty && tasks.isEmpty { return true }
            return templates.contains(template) || tasks.contains(task)
        }
    }

    /// Which images a governed node may run.
    package struct ImageRule: Sendable, Equatable {
        /// Glob patterns (`*` matches any run of characters); empty means any image.
        package var allowed: [String]
        /// Whether the reference must name a digest (`name@sha256:` and 64 lowercase hex).
        package var pinned: Bool
        /// `processRuntime: allow`: a node the process runtime runs (where the image is only a label naming a host
        /// command) passes the rule on its label; otherwise such a node is refused.
        package var allowsProcessRuntime: Bool = false
    }

    /// Which isolation a governed node, and the producers of its signed inputs, must have run under.
    ///
    /// A node under `none` runs as the engine's user and can read the signing key, so its envelopes prove less:
    /// the rule lets a workflow refuse such nodes and anything they produced.
    package struct IsolationRule: Sendable, Equatable {
        /// The modes admitted: `bubblewrap`, `container`, `none` (never empty).
        package var allowed: [String]
        /// Whether the producers of the node's signed inputs must also have run under an allowed mode (default
        /// true; an envelope that does not record its producer's isolation then fails the rule).
        package var inputs: Bool = true

        package init(allowed: [String], inputs: Bool = true) {
            self.allowed = allowed
            self.inputs = inputs
        }

        /// The isolation modes an engine records in lineage.
        package static let modes = ["bubblewrap", "container", "none"]
    }

    /// Where a governed node's inputs may come from.
    package struct InputRule: Sendable, Equatable {
        /// Templates whose outputs are acceptable; empty means any.
        package var fromTemplates: [String]
        /// Authority or delegation names whose signatures are acceptable; empty means any admitted signer.
        package var signedBy: [String]
        /// Values no node signed that the node may consume all the same: workflow arguments by name, values
        /// supplied on resume and defaults of outputs of nodes that did not run as `NODE.PARAMETER`. Literals of
        /// the submitted workflow are always admitted (the submission attestation covers them); anything else
        /// unsigned is refused.
        package var fromParameters: [String] = []
    }

    /// A named rule over the node about to run, its inputs' lineage and the workflow.
    package struct Constraint: Sendable, Equatable {
        package var name: String
        package var appliesTo: Scope
        /// An expr-lang expression that must be true (variables `node`, `inputs`, `workflow`).
        package var require: String?
        package var images: ImageRule?
        package var inputs: InputRule?
        package var isolation: IsolationRule? = nil
        /// The longest chain of producers an input may have behind it (a node with no inputs has depth 1).
        package var maxChainDepth: Int?
    }

    /// A key or envelope revoked by the governance itself.
    package struct Revocation: Sendable, Equatable {
        package enum Kind: String, Sendable, Equatable { case key, envelope }
        package var kind: Kind
        /// A keyid, or an envelope payload digest's hex.
        package var value: String
        package var reason: String
    }

    package var authorities: [Authority]
    package var delegations: [Delegation]
    package var constraints: [Constraint]
    package var revocations: [Revocation]
    /// Constraint-set digests whose lineage this governance accepts as if it were its own.
    package var compatibleConstraints: Set<Digest>
    /// SHA-256 of the canonical JSON of the whole document (`null` when the workflow has none).
    package var digest: Digest
    /// SHA-256 of the canonical JSON of `constraints` (`null` when absent).
    package var constraintsDigest: Digest

    /// An empty governance: no authorities (the run's key stands in), no constraints.
    package static let none = GovernanceDocument(emptyWithDigest: CanonicalJSON.null.digest)

    private init(emptyWithDigest digest: Digest) {
        self.digest = digest
        constraintsDigest = digest
        authorities = []
        delegations = []
        constraints = []
        revocations = []
        compatibleConstraints = []
    }

    /// Reads a governance document; nil or `null` is the empty governance.
    ///
    /// - Throws: `GovernanceError.malformedGovernance` naming the field and what is wrong with it.
    package init(json: CanonicalJSON?) throws(GovernanceError) {
        let json = json ?? .null
        self.init(emptyWithDigest: json.digest)
        constraintsDigest = (json["constraints"] ?? .null).digest
        if json.isNull { return }
        let root = try PolicyReader(json, path: "")
        try root.allowOnly([
            "version", "authorities", "delegations", "constraints", "revocations",
            "compatibleConstraints",
        ])
        if let version = try root.optionalString("version"), version != Self.version {
            throw .malformedGovernance(field: "version", reason: "is '\(version)'; this engine reads \(Self.version)")
        }
        var names: Set<String> = []
        // One key, one authority: a key listed twice (in any encoding) would make the signer's name a matter of
        // list order, so `signedBy` could refuse what the intended authority signed.
        var keyOwners: [String: String] = [:]
        func claim(_ key: PublicKey, for name: String, at field: String) throws(GovernanceError) {
            if let owner = keyOwners[key.keyID] {
                throw .malformedGovernance(
                    field: field,
                    reason: "is the key of '\(owner)' already (keyid \(key.keyID)): one key, one authority or "
                        + "delegation")
            }
            keyOwners[key.keyID] = name
        }
        for (index, element) in try root.optionalArray("authorities").enumerated() {
            let item = try PolicyReader(element, path: "authorities[\(index)]")
            try item.allowOnly(["name", "publicKey", "roles"])
            let name = try item.string("name")
            guard names.insert(name).inserted else {
                throw .malformedGovernance(field: item.path("name"), reason: "'\(name)' is listed twice")
            }
            let key = try item.publicKey("publicKey")
            try claim(key, for: name, at: item.path("publicKey"))
            authorities.append(Authority(name: name, key: key, roles: try item.roles("roles") ?? Set(Role.allCases)))
        }
        for (index, element) in try root.optionalArray("delegations").enumerated() {
            let item = try PolicyReader(element, path: "delegations[\(index)]")
            try item.allowOnly(["name", "from", "publicKey", "roles", "attestation"])
            let name = try item.string("name")
            guard names.insert(name).inserted else {
                throw .malformedGovernance(
                    field: item.path("name"), reason: "'\(name)' is already an authority or delegation")
            }
            let from = try item.string("from")
            guard names.contains(from), from != name else {
                throw .malformedGovernance(
                    field: item.path("from"),
                    reason: "'\(from)' is not an authority or an earlier delegation")
            }
            guard let roles = try item.roles("roles"), !roles.isEmpty else {
                throw .malformedGovernance(field: item.path("roles"), reason: "is missing: name the delegated roles")
            }
            let key = try item.publicKey("publicKey")
            try claim(key, for: name, at: item.path("publicKey"))
            delegations.append(
                Delegation(
                    name: name, from: from, key: key, roles: roles,
                    attestation: try item.envelopeBytes("attestation")))
        }
        var constraintNames: Set<String> = []
        for (index, element) in try root.optionalArray("constraints").enumerated() {
            let item = try PolicyReader(element, path: "constraints[\(index)]")
            try item.allowOnly(["name", "appliesTo", "require", "images", "inputs", "isolation", "maxChainDepth"])
            let name = try item.string("name")
            guard constraintNames.insert(name).inserted else {
                throw .malformedGovernance(field: item.path("name"), reason: "'\(name)' is listed twice")
            }
            var constraint = Constraint(
                name: name, appliesTo: try item.scope("appliesTo"), require: try item.optionalString("require"),
                images: nil, inputs: nil, maxChainDepth: try item.optionalInteger("maxChainDepth"))
            if let images = try item.optionalObject("images") {
                try images.allowOnly(["allowed", "pinned", "processRuntime"])
                var rule = ImageRule(
                    allowed: try images.strings("allowed"),
                    pinned: try images.optionalBool("pinned") ?? false)
                switch try images.optionalString("processRuntime") {
                case nil, "refuse": rule.allowsProcessRuntime = false
                case "allow": rule.allowsProcessRuntime = true
                case let other?:
                    throw .malformedGovernance(
                        field: images.path("processRuntime"),
                        reason: "is '\(other)', not allow or refuse")
                }
                constraint.images = rule
            }
            if let inputs = try item.optionalObject("inputs") {
                try inputs.allowOnly(["fromTemplates", "signedBy", "fromParameters"])
                constraint.inputs = InputRule(
                    fromTemplates: try inputs.strings("fromTemplates"),
                    signedBy: try inputs.strings("signedBy"),
                    fromParameters: try inputs.strings("fromParameters"))
                for signer in constraint.inputs?.signedBy ?? [] where !names.contains(signer) {
                    throw .malformedGovernance(
                        field: inputs.path("signedBy"),
                        reason: "names '\(signer)', which is not an authority or delegation")
                }
            }
            constraint.isolation = try item.isolationRule("isolation")
            if constraint.require == nil && constraint.images == nil && constraint.inputs == nil
                && constraint.isolation == nil && constraint.maxChainDepth == nil
            {
                throw .malformedGovernance(
                    field: item.prefix,
                    reason: "('\(name)') requires nothing: give require, images, inputs, isolation or maxChainDepth")
            }
            if let depth = constraint.maxChainDepth, depth < 1 {
                throw .malformedGovernance(field: item.path("maxChainDepth"), reason: "must be at least 1")
            }
            constraints.append(constraint)
        }
        for (index, element) in try root.optionalArray("revocations").enumerated() {
            let item = try PolicyReader(element, path: "revocations[\(index)]")
            try item.allowOnly(["key", "envelope", "reason"])
            let reason = try item.optionalString("reason") ?? "revoked by the workflow's governance"
            switch (try item.optionalString("key"), try item.optionalString("envelope")) {
            case (let key?, nil):
                revocations.append(Revocation(kind: .key, value: key, reason: reason))
            case (nil, let envelope?):
                let hex = envelope.hasPrefix("sha256:") ? String(envelope.dropFirst(7)) : envelope
                guard (try? Digest(hex: hex)) != nil else {
                    throw .malformedGovernance(field: item.path("envelope"), reason: "is not sha256:<64 hex>")
                }
                revocations.append(Revocation(kind: .envelope, value: hex, reason: reason))
            default:
                throw .malformedGovernance(field: item.path("key"), reason: "give exactly one of key or envelope")
            }
        }
        for (index, text) in try root.strings("compatibleConstraints").enumerated() {
            let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
            guard let value = try? Digest(hex: hex) else {
                throw .malformedGovernance(field: "compatibleConstraints[\(index)]", reason: "is not sha256:<64 hex>")
            }
            compatibleConstraints.insert(value)
        }
    }

    /// Whether lineage produced under `constraints` may be consumed under this governance.
    package func accepts(constraintsDigest other: Digest) -> Bool {
        other == constraintsDigest || compatibleConstraints.contains(other)
    }

    /// The constraints that govern a node: those scoped to its own template or task, or to a steps or DAG
    /// template (or the task or step calling one) it runs under.
    ///
    /// - Parameter within: the enclosing steps/DAG calls, as the node's lineage records them.
    package func constraints(template: String, task: String, within: [LineagePredicate.Node.Call] = [])
        -> [Constraint]
    {
        constraints.filter { constraint in
            constraint.appliesTo.applies(template: template, task: task)
                || within.contains {
                    !constraint.appliesTo.isAll && constraint.appliesTo.applies(template: $0.template, task: $0.task)
                }
        }
    }

    /// The inline revocation of an envelope or key, if any.
    package func revocation(envelopeDigest: String? = nil, keyID: String? = nil) -> Revocation? {
        revocations.first {
            ($0.kind == .envelope && $0.value == envelopeDigest) || ($0.kind == .key && $0.value == keyID)
        }
    }
}

// MARK: - Reading

/// Typed field access over the governance JSON that reports the dotted path of whatever is wrong.
private struct PolicyReader {
    let members: [String: CanonicalJSON]
    let prefix: String

    init(_ json: CanonicalJSON, path: String) throws(GovernanceError) {
        guard let members = json.objectValue else {
            throw .malformedGovernance(field: path, reason: "is not a mapping")
        }
        self.members = members
        self.prefix = path
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    func allowOnly(_ keys: Set<String>) throws(GovernanceError) {
        if let unknown = members.keys.sorted().first(where: { !keys.contains($0) }) {
            throw .malformedGovernance(
                field: path(unknown), reason: "is not a known field (known: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(GovernanceError) -> String {
        guard let text = try optionalString(key), !text.isEmpty else {
            throw .malformedGovernance(field: path(key), reason: "is missing")
        }
        return text
    }

    func optionalString(_ key: String) throws(GovernanceError) -> String? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw .malformedGovernance(field: path(key), reason: "is not a string")
        }
        return text
    }

    func optionalInteger(_ key: String) throws(GovernanceError) -> Int? {
        guard let value = members[key], !value.isNull else { return nil }
        if let number = value.integerValue { return Int(number) }
        if let text = value.stringValue, let number = Int(text) { return number }
        throw .malformedGovernance(field: path(key), reason: "is not an integer")
    }

    func optionalBool(_ key: String) throws(GovernanceError) -> Bool? {
        guard let value = members[key], !value.isNull else { return nil }
        if let flag = value.boolValue { return flag }
        switch value.stringValue {
        case "true": return true
        case "false": return false
        default: throw .malformedGovernance(field: path(key), reason: "is not true or false")
        }
    }

    func optionalArray(_ key: String) throws(GovernanceError) -> [CanonicalJSON] {
        guard let value = members[key], !value.isNull else { return [] }
        guard let elements = value.arrayValue else {
            throw .malformedGovernance(field: path(key), reason: "is not a list")
        }
        return elements
    }

    func optionalObject(_ key: String) throws(GovernanceError) -> PolicyReader? {
        guard let value = members[key], !value.isNull else { return nil }
        return try PolicyReader(value, path: path(key))
    }

    func strings(_ key: String) throws(GovernanceError) -> [String] {
        try optionalArray(key).enumerated().map { (index, element) throws(GovernanceError) in
            guard let text = element.stringValue else {
                throw GovernanceError.malformedGovernance(field: path(key) + "[\(index)]", reason: "is not a string")
            }
            return text
        }
    }

    func roles(_ key: String) throws(GovernanceError) -> Set<GovernanceDocument.Role>? {
        guard members[key] != nil, members[key]?.isNull == false else { return nil }
        var roles: Set<GovernanceDocument.Role> = []
        for (index, text) in try strings(key).enumerated() {
            guard let role = GovernanceDocument.Role(rawValue: text) else {
                throw .malformedGovernance(
                    field: path(key) + "[\(index)]",
                    reason: "is '\(text)', not one of submit, sign, delegate")
            }
            roles.insert(role)
        }
        return roles
    }

    func publicKey(_ key: String) throws(GovernanceError) -> PublicKey {
        let text = try string(key).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return text.hasPrefix("-----BEGIN") ? try PublicKey(pem: text) : try PublicKey(hex: text)
        } catch {
            throw .malformedGovernance(field: path(key), reason: "is not an Ed25519 public key: \(error.description)")
        }
    }

    func scope(_ key: String) throws(GovernanceError) -> GovernanceDocument.Scope {
        guard let value = members[key], !value.isNull else { return .all }
        if value.stringValue == "all" { return .all }
        let item = try PolicyReader(value, path: path(key))
        try item.allowOnly(["templates", "tasks"])
        return GovernanceDocument.Scope(templates: try item.strings("templates"), tasks: try item.strings("tasks"))
    }

    /// An `isolation` rule: `{allowed: [MODE...], inputs: BOOL}`, modes among ``GovernanceDocument/IsolationRule/modes``.
    func isolationRule(_ key: String) throws(GovernanceError) -> GovernanceDocument.IsolationRule? {
        guard let item = try optionalObject(key) else { return nil }
        try item.allowOnly(["allowed", "inputs"])
        let allowed = try item.strings("allowed")
        let modes = GovernanceDocument.IsolationRule.modes
        guard !allowed.isEmpty else {
            throw .malformedGovernance(
                field: item.path("allowed"),
                reason: "is missing: list the admitted modes (\(modes.joined(separator: ", ")))")
        }
        for (index, mode) in allowed.enumerated() where !modes.contains(mode) {
            throw .malformedGovernance(
                field: item.path("allowed") + "[\(index)]",
                reason: "is '\(mode)', not one of \(modes.joined(separator: ", "))")
        }
        return GovernanceDocument.IsolationRule(allowed: allowed, inputs: try item.optionalBool("inputs") ?? true)
    }

    /// A DSSE envelope given as its JSON text or as a mapping of its fields.
    func envelopeBytes(_ key: String) throws(GovernanceError) -> [UInt8] {
        guard let value = members[key], !value.isNull else {
            throw .malformedGovernance(
                field: path(key), reason: "is missing: a delegation needs its signed attestation")
        }
        if let text = value.stringValue { return Array(text.utf8) }
        guard value.objectValue != nil else {
            throw .malformedGovernance(field: path(key), reason: "is neither envelope JSON text nor a mapping")
        }
        return value.bytes
    }
}
