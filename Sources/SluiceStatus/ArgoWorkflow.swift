package import Foundation
package import SluiceExpressions
package import SluiceGovernance
package import SluiceSpec

/// A run as Argo's `Workflow` object (`argo get -o json`): the one model `sluice get -o json|yaml`, an export's
/// `status.json`, the report, replay and bundle verification write and read.
///
/// Members follow Argo's Go types (`pkg/apis/workflow/v1alpha1`): what Argo tags `omitempty` is optional here, so a
/// status Argo itself wrote (a bundle `sluice kube collect` made) decodes too; members Sluice does not know are
/// ignored. Timestamps are Argo's RFC 3339 text, as written.
package struct ArgoWorkflow: Codable, Sendable, Equatable {
    package var apiVersion: String? = "argoproj.io/v1alpha1"
    package var kind: String? = "Workflow"
    package var metadata: Metadata
    package var spec: Spec?
    package var status: Status?

    package init(metadata: Metadata, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// `metadata`: the run's name, id and what Sluice records about its inputs in annotations.
    package struct Metadata: Codable, Sendable, Equatable {
        package var name: String
        package var namespace: String?
        /// The run id.
        package var uid: String
        package var creationTimestamp: String?
        package var labels: [String: String]?
        package var annotations: [String: String]?
    }

    /// `spec`, as far as a status shows it: the workflow's parameters as the run used them.
    package struct Spec: Codable, Sendable, Equatable {
        package var arguments: Arguments?

        package struct Arguments: Codable, Sendable, Equatable {
            package var parameters: [ParameterValue]?
        }
    }

    /// `status`: the run's phase, its times, its nodes by id and the workflow's outputs.
    package struct Status: Codable, Sendable, Equatable {
        package var phase: String?
        package var startedAt: String?
        package var finishedAt: String?
        package var message: String?
        /// Succeeded pods / all pods, e.g. `3/4`.
        package var progress: String?
        package var nodes: [String: Node]?
        package var outputs: Values?
    }

    /// One node of `status.nodes` (Argo's `NodeStatus`).
    package struct Node: Codable, Sendable, Equatable {
        package var id: String
        package var name: String
        package var displayName: String?
        package var type: NodeType
        package var phase: NodePhase?
        package var templateName: String?
        package var message: String?
        package var boundaryID: String?
        package var children: [String]?
        /// Succeeded pods / all pods at or below this node.
        package var progress: String?
        package var startedAt: String?
        package var finishedAt: String?
        package var inputs: Values?
        package var outputs: Values?
        /// `sha256:HEX` of the envelope that signs this node's outputs (Sluice's).
        package var lineageEnvelope: String?
        package var memoizationStatus: Memoization?

        /// The hex digest ``lineageEnvelope`` names, without its `sha256:` prefix.
        package var envelopeHex: String? {
            lineageEnvelope.map { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)) : $0 }
        }
    }

    /// A node's or the workflow's inputs or outputs (Argo's `Inputs`/`Outputs`). Artifacts stay JSON objects: Sluice
    /// writes its own members (digest, where it stored them), Argo its repository's (`s3.key`).
    package struct Values: Codable, Sendable, Equatable {
        package var parameters: [ParameterValue]?
        package var artifacts: [CanonicalJSON]?
        package var result: String?
        package var exitCode: String?

        package init(
            parameters: [ParameterValue]? = nil, artifacts: [CanonicalJSON]? = nil, result: String? = nil,
            exitCode: String? = nil
        ) {
            self.parameters = parameters
            self.artifacts = artifacts
            self.result = result
            self.exitCode = exitCode
        }

        /// No member at all (Argo omits such an object).
        package var isEmpty: Bool { parameters == nil && artifacts == nil && result == nil && exitCode == nil }

        /// The value of the output parameter `name`.
        package func parameter(_ name: String) -> String? { parameters?.first { $0.name == name }?.value }
    }

    /// Argo's `memoizationStatus`.
    package struct Memoization: Codable, Sendable, Equatable {
        package var hit: Bool
        package var key: String
        package var cacheName: String
    }
}

extension ArgoWorkflow {
    /// Pretty, key-sorted JSON text (keys in code-point order, slashes unescaped), without a final newline.
    package func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every member is a string, a Bool, an integer or a container of them: encoding cannot fail.
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The object as `JSONSerialization` values, for writers of other formats (YAML).
    package func jsonObject() -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(jsonText().utf8))) as? [String: Any] ?? [:]
    }

    /// Reads a Workflow object (a bundle's `status.json`, `argo get -o json`).
    ///
    /// - Throws: `StatusReadingError` naming the member that is missing or of the wrong type.
    package init(json: Data) throws(StatusReadingError) {
        do {
            self = try JSONDecoder().decode(Self.self, from: json)
        } catch let error as DecodingError {
            throw StatusReadingError(error)
        } catch {
            throw StatusReadingError(reason: "\(error)")
        }
    }
}

/// Why a Workflow object could not be read, with the path of the member at fault.
package struct StatusReadingError: Error, Sendable, Equatable, CustomStringConvertible {
    package var reason: String

    package init(reason: String) { self.reason = reason }

    init(_ error: DecodingError) {
        func path(_ context: DecodingError.Context) -> String {
            let members = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return members.isEmpty ? "the document" : String(members.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            reason = "\(path(context) == "the document" ? "" : path(context) + ".")\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            reason = "\(path(context)) is not of the expected type"
        case .dataCorrupted(let context):
            reason = context.codingPath.isEmpty ? "not JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default:
            reason = "\(error)"
        }
    }

    package var description: String { reason }
}
