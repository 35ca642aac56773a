/// What a caller of ``LineagePolicy`` gathers before asking it: the engine's gate from its store and artifact
/// files, the offline verifiers from a bundle, the in-pod wrapper from the pod's filesystem. Facts are values as
/// found and measured; the policy trusts none of them beyond what it checks.
extension LineagePolicy {
    /// A producer's lineage envelope, as the gatherer found it.
    package enum EnvelopeFact: Sendable, Equatable {
        /// The envelope's bytes as stored, the payload digest recorded when its producer ran, and the keyid the
        /// store filed it under (checked against revocations before the signature is).
        case found(bytes: [UInt8], recordedPayloadDigest: Digest, keyID: String)
        /// No envelope to check, and why (none recorded, not in the store, unreadable): refused as
        /// `envelope-missing`.
        case absent(reason: String)
    }

    /// One node output a consumer is about to take (an artifact, a parameter value, a value behind a decision),
    /// with the digest of the bytes the gatherer just measured.
    package struct Upstream: Sendable, Equatable {
        /// The consumer's name for it, as refusals and lineage name it (an input, or `PRODUCER.SUBJECT`).
        package var input: String
        /// The producer's node id, which the envelope must attest.
        package var producerNode: String
        /// The producer's display name, for messages.
        package var producerName: String
        /// The subject consumed, e.g. `outputs/artifacts/model` or `outputs/parameters/count`.
        package var subject: String
        /// The digest of the bytes about to be handed over, computed by the gatherer (never read from a record).
        package var measured: Digest
        /// The digest-set key `measured` corresponds to: `sha256` or `dirHash`.
        package var algorithm: String
        /// The producer's envelope.
        package var envelope: EnvelopeFact

        /// Creates the facts of one consumed output.
        package init(
            input: String, producerNode: String, producerName: String, subject: String, measured: Digest,
            algorithm: String = "sha256", envelope: EnvelopeFact
        ) {
            self.input = input
            self.producerNode = producerNode
            self.producerName = producerName
            self.subject = subject
            self.measured = measured
            self.algorithm = algorithm
            self.envelope = envelope
        }
    }

    /// The revocations in force besides the governance's own (`sluice revoke`, an imported or given list), as read
    /// at this gate; read fresh for each gate so a revocation made during a run takes effect at the next one.
    package enum Revocations: Sendable, Equatable {
        /// One revoked key (by keyid) or envelope (by payload digest, hex).
        package struct Entry: Sendable, Equatable {
            package var kind: GovernanceDocument.Revocation.Kind
            package var value: String
            package var reason: String

            /// Creates an entry.
            package init(kind: GovernanceDocument.Revocation.Kind, value: String, reason: String) {
                self.kind = kind
                self.value = value
                self.reason = reason
            }
        }

        /// The list as read.
        case listed([Entry])
        /// The list could not be read, and why: the policy fails closed and admits nothing it would have checked.
        case unreadable(reason: String)
    }

    /// What one gate call verifies once and reuses across a node's inputs (never beyond the call): each upstream
    /// envelope that passed the checks that do not depend on the subject consumed.
    package struct Memo: Sendable {
        var envelopes: [String: LineageVerifier.VerifiedEnvelope] = [:]

        /// An empty memo.
        package init() {}
    }
}
