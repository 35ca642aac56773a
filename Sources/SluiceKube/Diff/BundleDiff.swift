import Foundation
import SluiceAudit
package import SluiceGovernance

/// `sluice kube diff LOCAL CLUSTER`: whether two bundles of the same workflow (a local run's `sluice export`, a
/// cluster run's `sluice kube collect`) carry the same envelopes, node by node, at three levels:
///
/// 1. both verify (`sluice verify BUNDLE` on each, and the node's envelope among what verified);
/// 2. their predicates are equal once ``LineageMask`` has masked what must differ between runs;
/// 3. their subjects (the outputs' digests) are equal, for nodes expected deterministic.
package struct BundleDiff {
    /// One node's envelope in a bundle.
    package struct NodeEnvelope: Sendable, Equatable {
        package var file: String
        package var nodeID: String
        package var name: String
        package var predicate: CanonicalJSON
        package var subjects: [Statement.Subject]
    }

    /// What was read from one bundle.
    package struct Side: Sendable {
        package var path: String
        package var workflowName: String
        package var nodes: [NodeEnvelope]
        /// The verification's failed findings (`FILE: detail`).
        package var failures: [(file: String, detail: String)]
        package var verified: Bool

        /// The mask for this side's predicates.
        var mask: LineageMask {
            var names: [String: String] = [:]
            for node in nodes { names[node.nodeID] = node.name }
            return LineageMask(workflowName: workflowName, nodeNames: names, envelopeNodes: envelopeNodes)
        }

        var envelopeNodes: [String: String] = [:]
        /// Argo's node type (`Pod`, `DAG`, `Steps`…) by node id, from the bundle's `status.json`.
        var nodeTypes: [String: String] = [:]
    }

    /// A node's comparison.
    package struct Comparison: Sendable, Equatable {
        /// The node name with the workflow name masked (`<workflow>.train`).
        package var node: String
        /// Level 1: both envelopes verified; nil when a side has no envelope for the node.
        package var verified: Bool?
        /// Level 2: the masked predicate fields that differ (empty: the same).
        package var predicateDifferences: [LineageMask.Difference]
        /// Level 3: the subjects that differ (by name; empty: the same); nil when not compared (nondeterministic).
        package var subjectDifferences: [String]?
        /// Why the node could not be compared (missing on one side).
        package var missing: String?
        /// Set for a steps or DAG node the local engine signed (its outputs, linked to the nodes that produced them)
        /// and the cluster did not: no pod runs for it there, and its consumers link to those producers directly.
        package var isLocalOnly = false

        /// Whether the node is the same at every level compared.
        package var isSame: Bool {
            missing == nil && verified == true && predicateDifferences.isEmpty && (subjectDifferences?.isEmpty ?? true)
        }
    }

    /// Reads and verifies a bundle directory.
    ///
    /// - Throws: ``KubeError/collect(reason:)`` when it is not a readable bundle directory.
    package static func read(_ path: String, trustedKeys: [PublicKey]?) throws(KubeError) -> Side {
        let report: BundleVerifier.Report
        do {
            report = try BundleVerifier(trustedKeys: trustedKeys).verify(bundleAt: path)
        } catch {
            throw .collect(reason: error.description)
        }
        let directory = path + "/" + BundleLayout.envelopes
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .collect(reason: "'\(path)' is not a bundle directory (diff reads unpacked bundles)")
        }
        var nodes: [NodeEnvelope] = []
        var envelopeNodes: [String: String] = [:]
        var workflowName = ""
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for file in files
        where file.hasSuffix(BundleLayout.envelopeSuffix) && !file.hasSuffix(BundleLayout.provenanceSuffix) {
            guard let data = FileManager.default.contents(atPath: directory + "/" + file),
                let envelope = try? Envelope(jsonBytes: [UInt8](data).filter { $0 != 0x0A }),
                let statement = try? Statement(payloadBytes: envelope.payload),
                let nodeID = statement.predicate["node"]?["id"]?.stringValue,
                let name = statement.predicate["node"]?["name"]?.stringValue
            else { continue }
            envelopeNodes[envelope.payloadDigest.hex] = name
            workflowName = statement.predicate["workflow"]?["name"]?.stringValue ?? workflowName
            // The node's recorded envelope is named for the node; others (earlier attempts) are not compared.
            guard file == nodeID + BundleLayout.envelopeSuffix else { continue }
            nodes.append(
                NodeEnvelope(
                    file: BundleLayout.envelopes + "/" + file, nodeID: nodeID, name: name,
                    predicate: statement.predicate, subjects: statement.subjects))
        }
        var side = Side(
            path: path, workflowName: workflowName, nodes: nodes,
            failures: report.failures.map { ($0.file, $0.detail) }, verified: report.isVerified)
        side.envelopeNodes = envelopeNodes
        if let data = FileManager.default.contents(atPath: path + "/" + BundleLayout.status),
            let object = try? CanonicalJSON(parsing: [UInt8](data))
        {
            for (id, node) in object["status"]?["nodes"]?.objectValue ?? [:] {
                if let type = node["type"]?.stringValue { side.nodeTypes[id] = type }
            }
        }
        return side
    }

    /// Compares two bundles node by node (pure).
    ///
    /// - Parameter nondeterministic: masked node names or display names whose subjects are not compared.
    package static func compare(_ local: Side, _ cluster: Side, nondeterministic: Set<String>) -> [Comparison] {
        let localMask = local.mask
        let clusterMask = cluster.mask
        let localNodes = Dictionary(
            local.nodes.map { (localMask.maskedName($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        let clusterNodes = Dictionary(
            cluster.nodes.map { (clusterMask.maskedName($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        var comparisons: [Comparison] = []
        for name in Set(localNodes.keys).union(clusterNodes.keys).sorted() {
            guard let left = localNodes[name], let right = clusterNodes[name] else {
                if let left = localNodes[name], ["DAG", "Steps"].contains(local.nodeTypes[left.nodeID] ?? "") {
                    var comparison = Comparison(
                        node: name, verified: nil, predicateDifferences: [], subjectDifferences: nil,
                        missing: "signed locally only: a \(local.nodeTypes[left.nodeID] ?? "") node, which no pod runs "
                            + "on a cluster")
                    comparison.isLocalOnly = true
                    comparisons.append(comparison)
                    continue
                }
                comparisons.append(
                    Comparison(
                        node: name, verified: nil, predicateDifferences: [], subjectDifferences: nil,
                        missing: localNodes[name] == nil
                            ? "no envelope in the local bundle" : "no envelope in the cluster bundle"))
                continue
            }
            let verified =
                !local.failures.contains { $0.file == left.file }
                && !cluster.failures.contains { $0.file == right.file }
                && local.verified && cluster.verified
            let predicates = LineageMask.differences(
                localMask.masked(left.predicate), clusterMask.masked(right.predicate))
            let display = String(name.split(separator: ".").last ?? Substring(name))
            var subjects: [String]?
            if !nondeterministic.contains(name) && !nondeterministic.contains(display) {
                let lhs = Dictionary(left.subjects.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a })
                let rhs = Dictionary(right.subjects.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a })
                subjects = Set(lhs.keys).union(rhs.keys).sorted().filter { lhs[$0] != rhs[$0] }
            }
            comparisons.append(
                Comparison(
                    node: name, verified: verified, predicateDifferences: predicates, subjectDifferences: subjects,
                    missing: nil))
        }
        return comparisons
    }

    /// The report: one line per node and level, then what differs, then the verdict.
    package static func report(_ comparisons: [Comparison], local: Side, cluster: Side) -> String {
        var lines: [String] = []
        let width = max(4, comparisons.map(\.node.count).max() ?? 4)
        func pad(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append("\(pad("NODE"))  L1 VERIFY  L2 PREDICATE  L3 SUBJECTS")
        for comparison in comparisons {
            if let missing = comparison.missing {
                lines.append("\(pad(comparison.node))  \(missing)")
                continue
            }
            let level1 = comparison.verified == true ? "ok       " : "FAIL     "
            let level2 = comparison.predicateDifferences.isEmpty ? "same        " : "DIFFERENT   "
            let level3 =
                comparison.subjectDifferences.map { $0.isEmpty ? "same" : "DIFFERENT" }
                ?? "not compared (nondeterministic)"
            lines.append("\(pad(comparison.node))  \(level1)  \(level2)  \(level3)")
        }
        for (side, label) in [(local, "local"), (cluster, "cluster")] where !side.verified {
            lines.append("")
            lines.append("level 1: the \(label) bundle \(side.path) does not verify:")
            for failure in side.failures { lines.append("  \(failure.file): \(failure.detail)") }
        }
        for comparison in comparisons
        where !comparison.predicateDifferences.isEmpty || !(comparison.subjectDifferences ?? []).isEmpty {
            lines.append("")
            if !comparison.predicateDifferences.isEmpty {
                lines.append("\(comparison.node): level 2: the masked predicates differ (local / cluster):")
                for difference in comparison.predicateDifferences { lines.append("  \(difference)") }
            }
            if let subjects = comparison.subjectDifferences, !subjects.isEmpty {
                lines.append("\(comparison.node): level 3: different digests for " + subjects.joined(separator: ", "))
            }
        }
        let same = comparisons.filter(\.isSame).count
        let localOnly = comparisons.filter(\.isLocalOnly).count
        let compared = comparisons.count - localOnly
        let aside = localOnly == 0 ? "" : "; \(localOnly) steps/DAG node(s) signed locally only"
        lines.append("")
        lines.append(
            same == compared
                ? "the same: \(same) node(s) verify, with equal masked predicates and subjects\(aside)"
                : "DIFFERENT: \(compared - same) of \(compared) node(s) differ\(aside)")
        return lines.joined(separator: "\n") + "\n"
    }
}
