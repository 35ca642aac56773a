package import Foundation

/// Sluice's lineage predicate (`https://sluice.dev/attestation/lineage/v0.2`): which run and node produced a
/// statement's subjects, from which verified inputs, under which governance, signed by which key.
///
/// ``json`` is the predicate body placed in a ``Statement``; ``init(json:)`` reads it back strictly. Timestamps are
/// kept to whole seconds (RFC 3339 UTC with `Z`), so a predicate survives the round trip unchanged.
package struct LineagePredicate: Sendable, Equatable {
    /// The predicateType of every lineage statement.
    package static let type = "https://sluice.dev/attestation/lineage/v0.2"

    /// The run and the workflow specification it executes.
    package struct Workflow: Sendable, Equatable {
        /// The workflow's `metadata.name` (or generated name).
        package var name: String
        /// The run's unique identifier.
        package var runID: String
        /// SHA-256 of the canonical JSON of the workflow spec.
        package var specDigest: Digest

        /// Creates the workflow section.
        package init(name: String, runID: String, specDigest: Digest) {
            self.name = name
            self.runID = runID
            self.specDigest = specDigest
        }
    }

    /// The executed node.
    package struct Node: Sendable, Equatable {
        /// The node's stable identifier within the run.
        package var id: String
        /// The node's name (Argo `status.nodes[].name`).
        package var name: String
        /// The template it ran.
        package var templateName: String
        /// The display name (Argo `displayName`).
        package var displayName: String
        /// The attempt number, starting at 1 (retries increment it).
        package var attempt: Int
        /// The steps and DAG calls the node runs under, innermost first (the entrypoint last): constraints scoped
        /// to one of them govern the node. Empty for nodes recorded before it was signed.
        package var within: [Call]
        /// SHA-256 of the canonical JSON of the template it ran, as submitted; nil for nodes recorded before it
        /// was signed. ``templateName`` is the template's identity: its name for the workflow's own templates,
        /// `WorkflowTemplate/DOCUMENT/NAME` for one found through `templateRef`.
        package var templateDigest: Digest?

        /// One enclosing steps or DAG template, and the task or step that called it (for the entrypoint: the
        /// workflow's name).
        package struct Call: Sendable, Equatable {
            package var template: String
            package var task: String

            /// Creates an enclosing call.
            package init(template: String, task: String) {
                self.template = template
                self.task = task
            }
        }

        /// Creates the node section.
        package init(
            id: String, name: String, templateName: String, displayName: String, attempt: Int, within: [Call] = [],
            templateDigest: Digest? = nil
        ) {
            self.templateDigest = templateDigest
            self.id = id
            self.name = name
            self.templateName = templateName
            self.displayName = displayName
            self.attempt = attempt
            self.within = within
        }
    }

    /// The key that signs the envelope, bound inside the signed bytes (the DSSE keyid is only a hint).
    package struct Signer: Sendable, Equatable {
        /// The in-toto keyid of the signing key.
        package var keyID: String
        /// SHA-256 of the signing key's DER SubjectPublicKeyInfo.
        package var publicKeyDigest: Digest

        /// Creates the signer section.
        package init(keyID: String, publicKeyDigest: Digest) {
            self.keyID = keyID
            self.publicKeyDigest = publicKeyDigest
        }

        /// The signer section describing `key`.
        package init(key: PublicKey) {
            self.init(keyID: key.keyID, publicKeyDigest: key.spkiDigest)
        }
    }

    /// What ran, where, and who signed it.
    package struct Producer: Sendable, Equatable {
        /// Producer identity, distinct per mode, e.g. `https://sluice.dev/engine/local`.
        package var id: String
        /// The engine version.
        package var version: String
        /// The runtime kind: `process`, `podman`, `docker`, ….
        package var runtime: String
        /// The argv that ran.
        package var command: [String]
        /// The container image reference, or nil for host processes.
        package var image: String?
        /// The signing key.
        package var signer: Signer
        /// The isolation the node ran under: `bubblewrap`, `container` or `none`; nil in envelopes signed before
        /// Sluice recorded it (read as unknown).
        package var isolation: String? = nil
        /// `isolation MODE` for reports; `computed by the engine` for outputs no process produced (runtime
        /// `engine`), `isolation not recorded` for envelopes that predate the field.
        package var isolationDescription: String {
            if runtime == "engine" { return "computed by the engine" }
            return isolation.map { "isolation \($0)" } ?? "isolation not recorded"
        }
        /// The pod's containers besides the main one (init containers, sidecars, a containerSet's other
        /// containers), so image rules can be re-checked offline over everything that ran; empty when none.
        package var containers: [Container] = []

        /// A container of the pod besides the main one.
        package struct Container: Sendable, Equatable {
            /// Its place in the pod.
            package enum Kind: String, Sendable, Equatable {
                case main
                case initContainer = "init container"
                case sidecar
                case container
            }

            package var kind: Kind
            package var name: String
            /// The image reference it ran (nil when it names none).
            package var image: String?

            /// Creates a container entry.
            package init(kind: Kind, name: String, image: String?) {
                self.kind = kind
                self.name = name
                self.image = image
            }
        }

        /// Creates the producer section.
        package init(
            id: String, version: String, runtime: String, command: [String], image: String?, signer: Signer,
            containers: [Container] = [], isolation: String? = nil
        ) {
            self.isolation = isolation
            self.id = id
            self.version = version
            self.runtime = runtime
            self.command = command
            self.image = image
            self.signer = signer
            self.containers = containers
        }
    }

    /// The governance in force when the node ran.
    package struct Governance: Sendable, Equatable {
        /// SHA-256 of the canonical governance section, or of `null` when the workflow has none.
        package var specDigest: Digest
        /// SHA-256 of the canonical constraint set.
        package var constraintsDigest: Digest

        /// Creates the governance section.
        package init(specDigest: Digest, constraintsDigest: Digest) {
            self.specDigest = specDigest
            self.constraintsDigest = constraintsDigest
        }
    }

    /// One input the node consumed, with the lineage it was verified against.
    package struct Input: Sendable, Equatable {
        /// Whether the input is an artifact or a parameter.
        package enum Kind: String, Sendable, Equatable, CaseIterable {
            case artifact
            case parameter
        }

        /// Where an input that no node produced was fetched from (an `http` or `git` artifact).
        package struct Origin: Sendable, Equatable {
            /// The URL fetched, or the git repository cloned (any `user:password@` removed).
            package var uri: String
            /// For git, the commit checked out (full SHA); nil for http.
            package var commit: String?

            /// Creates an origin.
            package init(uri: String, commit: String? = nil) {
                self.uri = uri
                self.commit = commit
            }
        }

        /// Where a value that no node signed came from: `literal` (text of the submitted workflow), `argument`
        /// (a workflow parameter), `resume` (supplied on `sluice resume`), `default` (the `valueFrom.default` of
        /// an output of a node that did not run).
        package struct Source: Sendable, Equatable {
            /// `literal`, `argument`, `resume` or `default`.
            package var kind: String
            /// The workflow parameter, or `NODE.PARAMETER` of a resume value or default; nil for a literal.
            package var name: String?

            /// Creates a source.
            package init(kind: String, name: String? = nil) {
                self.kind = kind
                self.name = name
            }
        }

        /// The input's name as the consuming template declares it.
        package var name: String
        /// Artifact or parameter.
        package var kind: Kind
        /// The digest the engine recomputed when the input was consumed (algorithm → hex).
        package var digest: [String: String]
        /// The node that produced it, or nil for external inputs (workflow arguments, literals).
        package var producerNode: String?
        /// The subject name in the producer's statement, or nil for external inputs.
        package var subjectName: String?
        /// The payload digest of the producer's envelope, or nil for external inputs.
        package var envelopePayloadDigest: Digest?
        /// Where an external input was fetched from, or nil (produced inputs, workflow arguments, literals).
        package var origin: Origin?
        /// For a value no node signed, where it came from; nil otherwise.
        package var source: Source?

        /// Creates an input entry.
        package init(
            name: String,
            kind: Kind,
            digest: [String: String],
            producerNode: String? = nil,
            subjectName: String? = nil,
            envelopePayloadDigest: Digest? = nil,
            origin: Origin? = nil,
            source: Source? = nil
        ) {
            self.name = name
            self.kind = kind
            self.digest = digest
            self.producerNode = producerNode
            self.subjectName = subjectName
            self.envelopePayloadDigest = envelopePayloadDigest
            self.origin = origin
            self.source = source
        }
    }

    /// One link of the chain that admitted the node: the submission first, then the authorities and delegates
    /// down to the key that signed the envelope.
    package struct TrustHop: Sendable, Equatable {
        /// The authority's or delegation's name in `spec.governance`.
        package var authority: String
        /// Its in-toto keyid.
        package var keyID: String
        /// The role it played: `submit`, `delegate`, or `sign` (the last hop).
        package var role: String
        /// The payload digest of the attestation that proves this link: the submission attestation for the root
        /// and for authorities listed in the submitted governance, a delegation attestation for delegates.
        package var attestation: Digest

        /// Creates a trust hop.
        package init(authority: String, keyID: String, role: String, attestation: Digest) {
            self.authority = authority
            self.keyID = keyID
            self.role = role
            self.attestation = attestation
        }
    }

    /// When the node ran, as asserted by the signer, to whole seconds.
    package struct Timing: Sendable, Equatable {
        /// Start time, truncated to whole seconds.
        package var startedOn: Date
        /// End time, truncated to whole seconds.
        package var finishedOn: Date

        /// Creates the timing section; both dates are truncated to whole seconds.
        package init(startedOn: Date, finishedOn: Date) {
            self.startedOn = RFC3339.truncated(startedOn)
            self.finishedOn = RFC3339.truncated(finishedOn)
        }
    }

    /// The run and workflow spec.
    package var workflow: Workflow
    /// The executed node.
    package var node: Node
    /// A globally unique identifier of this execution (replay detection).
    package var invocationID: String
    /// What ran and who signed.
    package var producer: Producer
    /// Governance in force.
    package var governance: Governance
    /// Inputs consumed, in template order.
    package var inputs: [Input]
    /// Authorities that admitted the node, root (the submission) first.
    package var trustSlope: [TrustHop]
    /// The longest chain of producers behind this node, itself included (a node without upstream lineage is 1).
    package var chainDepth: Int
    /// When it ran.
    package var timing: Timing
    /// How the node ended, when it did not succeed (`Failed`: its outputs are signed so that whoever consumes
    /// them sees their true producer); nil for a node that succeeded.
    package var outcome: String? = nil
    /// Set when the node did not run but reused outputs captured in an export bundle (`sluice replay --from`), which
    /// this envelope re-signs; nil otherwise.
    package var replayed: Replayed?

    /// Where re-signed outputs were captured, and whether that capture's origin was verified.
    package struct Replayed: Sendable, Equatable {
        /// The bundle, as `sha256:<manifest digest>`.
        package var bundle: String
        /// The captured run's id.
        package var runID: String
        /// The captured envelope whose outputs are re-signed.
        package var envelopePayloadDigest: Digest
        /// Whether the bundle was verified against keys the user gave (`--trust`), not only its own.
        package var originVerified: Bool

        /// Creates the replay section.
        package init(bundle: String, runID: String, envelopePayloadDigest: Digest, originVerified: Bool) {
            self.bundle = bundle
            self.runID = runID
            self.envelopePayloadDigest = envelopePayloadDigest
            self.originVerified = originVerified
        }
    }

    /// Creates a predicate.
    package init(
        workflow: Workflow,
        node: Node,
        invocationID: String,
        producer: Producer,
        governance: Governance,
        inputs: [Input],
        trustSlope: [TrustHop],
        chainDepth: Int = 1,
        timing: Timing,
        replayed: Replayed? = nil
    ) {
        self.replayed = replayed
        self.workflow = workflow
        self.node = node
        self.invocationID = invocationID
        self.producer = producer
        self.governance = governance
        self.inputs = inputs
        self.trustSlope = trustSlope
        self.chainDepth = chainDepth
        self.timing = timing
    }
}
