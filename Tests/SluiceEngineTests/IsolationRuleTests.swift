import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceRuntimes
import SluiceSpec
import SluiceStore
import SluiceTesting
import Testing

/// Key custody made governable: a constraint's `isolation` rule (and the `node.isolation` /
/// `inputs[i].producer.isolation` facts of `require`) refuses nodes that run, or consume what was produced, without
/// the isolation the workflow demands; `sluice verify` shows each node's isolation.
@Suite("Isolation rule")
struct IsolationRuleTests {
    static func governance(_ rule: String) -> String {
        """
          governance:
            constraints:
              - name: isolated
                appliesTo: {templates: [consume]}
                \(rule)
        """
    }

    /// Runs `yaml`; without isolation its nodes' `/tmp` files are the host's, shared by the tests running at the
    /// same time, so they are moved into the test's own directory.
    static func run(_ yaml: String, in directory: String, isolation: Isolation) async throws -> RecordedRun {
        let ownPaths = isolation == .none ? yaml.replacingOccurrences(of: "/tmp/", with: directory + "/tmp-") : yaml
        return try await EngineHarness.run(ownPaths, in: directory, runtime: ProcessRuntime(isolation: isolation))
    }

    @Test("a node that would run without isolation is refused by the node rule")
    func nodeRule() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "iso-node",
                governance: Self.governance("isolation: {allowed: [bubblewrap, container], inputs: false}"))
            let run = try await Self.run(yaml, in: directory, isolation: .none)
            try AttackTableTests.expectRefusal(
                run, row: "node without isolation", input: Refusal.nodeLevel, check: "constraint 'isolated'",
                reason: "it runs under isolation 'none', not one of bubblewrap, container (a node without isolation "
                    + "can read the signing key)")
        }
    }

    @Test("an input produced without isolation is refused, naming its producer")
    func inputRule() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "iso-input", governance: Self.governance("isolation: {allowed: [bubblewrap, container]}"))
            let run = try await Self.run(yaml, in: directory, isolation: .none)
            try AttackTableTests.expectRefusal(
                run, row: "input produced without isolation", input: "data", check: "constraint 'isolated'",
                reason: "its producer 'produce' ran under isolation 'none', not one of bubblewrap, container (a node "
                    + "without isolation can read the signing key)")
        }
    }

    @Test("require sees node.isolation and inputs[i].producer.isolation")
    func requireFacts() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "iso-require",
                governance: Self.governance(
                    "require: \"node.isolation == 'none' && all(inputs, {.producer == nil || .producer.isolation == 'none'})\""
                ))
            let run = try await Self.run(yaml, in: directory, isolation: .none)
            #expect(run.summary.phase == .succeeded, "\(run.nodes.map { "\($0.displayName): \($0.message ?? "")" })")
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "iso-require-refused", governance: Self.governance("require: \"node.isolation != 'none'\""))
            let run = try await Self.run(yaml, in: directory, isolation: .none)
            try AttackTableTests.expectRefusal(
                run, row: "require over node.isolation", input: Refusal.nodeLevel, check: "constraint 'isolated'",
                reason: "require \"node.isolation != 'none'\" is false")
        }
    }

    @Test("the rule admits isolated nodes, and verification shows every node's isolation")
    func admittedAndShown() async throws {
        let isolation = ProcessRuntime.detectedIsolation
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "iso-admitted",
                governance: Self.governance("isolation: {allowed: [\(isolation.rawValue)]}"))
            let run = try await Self.run(yaml, in: directory, isolation: isolation)
            #expect(run.summary.phase == .succeeded, "\(run.nodes.map { "\($0.displayName): \($0.message ?? "")" })")
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory)
                .export(run: run.run, to: directory + "/bundle")
            let report = try BundleVerifier().verify(bundleAt: directory + "/bundle")
            #expect(report.isVerified, "\(report.failures)")
            let details = report.findings.filter { $0.detail.hasPrefix("node '") }.map(\.detail)
            #expect(details.count == 3, "\(details)")
            #expect(details.allSatisfy { $0.hasSuffix(", isolation \(isolation.rawValue)") }, "\(details)")
            let findings = try RunVerifier(store: run.store, stateDirectory: run.stateDirectory).verify(run: run.run)
            #expect(findings.allSatisfy { $0.ok }, "\(findings)")
            #expect(findings.allSatisfy { $0.detail.hasSuffix(", isolation \(isolation.rawValue)") }, "\(findings)")
        }
    }

    @Test(
        "under podman nodes run under isolation 'container', which the rule admits or refuses by name",
        .timeLimit(.minutes(3)))
    func containers() async throws {
        if let reason = ContainersSupport.podmanUnavailableReason {
            try #require(Bool(false), "container tests need the setup: \(reason)")
        }
        let podman = ContainerRuntime(profile: .podman)
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "iso-podman", governance: Self.governance("isolation: {allowed: [container]}"))
            let run = try await EngineHarness.run(yaml, in: directory, runtime: podman)
            #expect(run.summary.phase == .succeeded, "\(run.nodes.map { "\($0.displayName): \($0.message ?? "")" })")
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "iso-podman-refused", governance: Self.governance("isolation: {allowed: [bubblewrap]}"))
            let run = try await EngineHarness.run(yaml, in: directory, runtime: podman)
            try AttackTableTests.expectRefusal(
                run, row: "input produced in a container, rule wants bubblewrap", input: "data",
                check: "constraint 'isolated'",
                reason: "its producer 'produce' ran under isolation 'container', not one of bubblewrap")
        }
    }

    @Test("an envelope that does not record its producer's isolation fails the input rule")
    func unrecordedProducer() throws {
        let governance = try GovernanceDocument(
            json: CanonicalJSON(
                parsing: Array(
                    #"{"constraints": [{"name": "isolated", "isolation": {"allowed": ["bubblewrap"]}}]}"#.utf8)))
        var predicate = GovernanceFixtures.lineagePredicate(signer: SigningKey.generate().publicKey)
        predicate.node.displayName = "old"
        predicate.producer.isolation = nil
        let violation = ConstraintEvaluator.inputViolation(of: governance.constraints, by: predicate)
        #expect(violation?.check == "constraint 'isolated'")
        #expect(
            violation?.reason
                == "its producer 'old' does not record its isolation (signed before isolation was recorded); the "
                + "constraint admits only bubblewrap")
        predicate.producer.isolation = "bubblewrap"
        #expect(ConstraintEvaluator.inputViolation(of: governance.constraints, by: predicate) == nil)
    }
}
