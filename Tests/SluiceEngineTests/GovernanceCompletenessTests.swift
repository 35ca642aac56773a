import Foundation
import SluiceAudit
import SluiceEngine
import SluiceGovernance
import SluiceSpec
import SluiceStore
import SluiceTesting
import Synchronization
import Testing

/// Issue 15's routes around governance (items 2 to 9), each as an attack-table row through the real engine:
/// refused with the exact message, or recorded so that offline verification refuses it.
@Suite("Attack table: governance completeness", .timeLimit(.minutes(3)))
struct GovernanceCompletenessTests {
    // MARK: - Revocation before signing, and `verify RUN`

    /// Regression: a node without inputs never met the gate's revocation check, so a run signed with a revoked key
    /// exited 0; and `verify RUN` checked signatures and subjects only, so it said ok after the revocation.
    @Test("a key revoked with sluice revoke signs nothing: a node without inputs is refused, verify RUN fails")
    func revokedKeySignsNothing() async throws {
        try await EngineHarness.withDirectory { directory in
            let key = GovernanceFixtures.signingKey(seedByte: 81)
            let keyFile = try AttackTableTests.keyFile(key, in: directory, name: "own")
            let yaml = AttackTableTests.workflow(name: "g-revoked")
            let clean = try await AttackTableTests.run(yaml, in: directory, key: keyFile)
            #expect(clean.summary.phase == .succeeded)
            let verifier = RunVerifier(store: clean.store, stateDirectory: clean.stateDirectory)
            #expect(try verifier.verify(run: clean.run).allSatisfy(\.ok))

            try Revocations(store: clean.store).revoke(
                kind: .key, value: key.publicKey.keyID, reason: "laptop stolen", signingKey: key)
            // `verify RUN` now applies the full policy: every envelope of the earlier run is signed by a revoked key.
            let findings = try verifier.verify(run: clean.run)
            let failures = findings.filter { !$0.ok }
            // Every envelope, and the run attestation signed by the same key.
            #expect(
                failures.map(\.node).sorted() == ["attestations/run.intoto.json", "consume", "other", "produce"],
                "\(findings)")
            #expect(
                failures.allSatisfy {
                    $0.detail.contains("key \(key.publicKey.keyID) is revoked: laptop stolen")
                }, "\(failures)")
            print(
                "attack-table | verify RUN after revoke | FAIL other: \(failures.first { $0.node == "other" }?.detail ?? "")"
            )

            let run = try await AttackTableTests.run(yaml, in: directory, key: keyFile)
            try AttackTableTests.expectRefusal(
                run, row: "revoked key, node without inputs", node: "other", input: Refusal.nodeLevel,
                check: "revoked",
                reason: "the node's lineage cannot be signed under this run's trust slope ('run-key' / submit): "
                    + "signing key \(key.publicKey.keyID) is revoked: laptop stolen")
            #expect(try run.store.envelopes(runID: run.run.id).isEmpty)
        }
    }

    // MARK: - Keys are identities

    /// Regression: the same key under two authority names was accepted, and the signer's name was whichever came
    /// first, so `signedBy: [auditor]` refused lineage the auditor key signed.
    @Test("one key listed twice (PEM and hex) under two names: a lint error at the second, and run refuses (65)")
    func duplicateKey() async throws {
        try await EngineHarness.withDirectory { directory in
            let key = GovernanceFixtures.signingKey(seedByte: 82)
            let pem = key.publicKey.pem.split(separator: "\n").map { "            " + $0 }.joined(separator: "\n")
            let governance = """
                  governance:
                    authorities:
                      - name: platform
                        publicKey: |
                \(pem)
                      - {name: auditor, publicKey: \(key.publicKey.hex)}
                """
            let yaml = AttackTableTests.workflow(name: "g-duplicate", governance: governance)
            let path = try EngineHarness.write(yaml, in: directory)
            let document = try #require(try SpecLoader.load(path: path).documents.first)
            let expected =
                "\(path):14:36: error: spec.governance.authorities[1].publicKey is the key of 'platform' "
                + "already (keyid \(key.publicKey.keyID)): one key, one authority or delegation"
            #expect(RunGovernance.problems(of: document) == [expected])
            print("attack-table | same key under two authorities (lint) | \(expected)")
            await #expect {
                _ = try await AttackTableTests.run(
                    yaml, in: directory,
                    key: try AttackTableTests.keyFile(key, in: directory, name: "k"))
            } throws: { error in
                guard case EngineError.governanceSpec(let reason) = error else { return false }
                return reason.contains("authorities[1].publicKey is the key of 'platform' already")
            }
        }
    }

    // MARK: - Scope that matches nothing

    /// A DAG template `stage` calling the pod template `deploy` from the entrypoint's task `release`.
    static func nested(name: String, governance: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
        \(governance)
          templates:
            - name: main
              dag:
                tasks:
                  - {name: release, template: stage}
            - name: stage
              dag:
                tasks:
                  - {name: push, template: deploy}
            - name: deploy
              container:
                image: alpine
                command: [sh, -c, "echo deployed"]
        """
    }

    /// Regression: `appliesTo` naming a steps/DAG template, or the task calling one, matched no pod: a
    /// `require: "false"` there changed nothing.
    @Test("appliesTo naming a DAG template, or the task that calls it, governs the pods under it")
    func scopeOverDAG() async throws {
        for scope in ["{templates: [stage]}", "{tasks: [release]}"] {
            try await EngineHarness.withDirectory { directory in
                let governance = """
                      governance:
                        constraints:
                          - name: frozen
                            appliesTo: \(scope)
                            require: "false"
                    """
                let run = try await AttackTableTests.run(
                    Self.nested(name: "g-scope", governance: governance),
                    in: directory)
                try AttackTableTests.expectRefusal(
                    run, row: "appliesTo \(scope) over a DAG", node: "push", input: Refusal.nodeLevel,
                    check: "constraint 'frozen'", reason: "require \"false\" is false")
            }
        }
        // The enclosing calls are signed into the envelope, so offline verification scopes constraints the same way.
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: only-deploy
                        appliesTo: {templates: [stage]}
                        require: "node.template == 'deploy' && node.task == 'push'"
                """
            let run = try await AttackTableTests.run(
                Self.nested(name: "g-within", governance: governance),
                in: directory)
            #expect(run.summary.phase == .succeeded)
            let push = try run.node("push")
            let digest = try #require(push.envelopeDigest)
            let record = try #require(try run.store.envelope(payloadDigest: digest))
            let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
            let predicate = try LineagePredicate(json: statement.predicate)
            #expect(
                predicate.node.within == [
                    .init(template: "stage", task: "release"),
                    .init(template: "main", task: "g-within"),
                ])
        }
    }

    /// Regression: a misspelt `appliesTo` template was a lint error, but `sluice run` ran anyway.
    @Test("run refuses what lint reports: a misspelt appliesTo template or task")
    func runRefusesLintErrors() async throws {
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: trained-only
                        appliesTo: {templates: [consum], tasks: [consumer]}
                        inputs: {fromTemplates: [produce]}
                """
            let yaml = AttackTableTests.workflow(name: "g-misspelt", governance: governance)
            let path = try EngineHarness.write(yaml, in: directory)
            await #expect {
                _ = try await AttackTableTests.run(yaml, in: directory)
            } throws: { error in
                let expected =
                    "spec.governance is invalid: \(path):10:20: error: constraint 'trained-only' applies to "
                    + "template 'consum', which the workflow does not define\n\(path):10:20: error: constraint "
                    + "'trained-only' applies to task 'consumer', which no steps or DAG template of the workflow calls"
                print("attack-table | misspelt appliesTo (run) | \(error)")
                return "\(error)" == expected
            }
            #expect(try Store(stateDirectory: directory + "/state").runs().isEmpty)
        }
    }

    // MARK: - Images

    /// `produce` with an init container and a sidecar, then `consume` as in the attack table.
    static func withContainers(name: String, governance: String, sidecarImage: String, initImage: String) -> String {
        AttackTableTests.workflow(name: name, governance: governance).replacingOccurrences(
            of: """
                    - name: produce
                      container:
                """,
            with: """
                    - name: produce
                      initContainers:
                        - {name: fetch, image: "\(initImage)", command: [sh, -c, "true"]}
                      sidecars:
                        - {name: helper, image: "\(sidecarImage)", command: [sh, -c, "sleep 1"]}
                      container:
                """)
    }

    /// Regression: init containers and sidecars were never checked against image rules.
    @Test("an image rule covers init containers and sidecars")
    func imagesOfEveryContainer() async throws {
        let rule = """
              governance:
                constraints:
                  - name: approved
                    appliesTo: {templates: [produce]}
                    images: {allowed: [alpine], processRuntime: allow}
            """
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.withContainers(
                name: "g-sidecar", governance: rule, sidecarImage: "evil.example/miner",
                initImage: "alpine")
            let run = try await AttackTableTests.run(yaml, in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "sidecar image not allowed", node: "other", input: Refusal.nodeLevel,
                check: "constraint 'approved'",
                reason: "image 'evil.example/miner' of sidecar 'helper' is not allowed (allowed: alpine)")
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.withContainers(
                name: "g-init", governance: rule, sidecarImage: "alpine",
                initImage: "evil.example/fetcher")
            let run = try await AttackTableTests.run(yaml, in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "init container image not allowed", node: "other", input: Refusal.nodeLevel,
                check: "constraint 'approved'",
                reason: "image 'evil.example/fetcher' of init container 'fetch' is not allowed (allowed: alpine)")
        }
    }

    /// Regression: `pinned` only looked for the substring `@sha256:`, and under the process runtime (where the
    /// image is a label for a host command) an image rule passed on the label.
    @Test("pinned means a well-formed digest; the process runtime is refused unless the rule allows it")
    func pinnedAndProcessRuntime() async throws {
        let digest = String(repeating: "ab", count: 32)
        func governance(_ images: String) -> String {
            """
              governance:
                constraints:
                  - name: builder
                    appliesTo: {templates: [consume]}
                    images: \(images)
            """
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "g-not-a-digest", governance: governance("{pinned: true, processRuntime: allow}"),
                consumeImage: "registry.internal/builder@sha256:not-a-digest")
            let run = try await AttackTableTests.run(yaml, in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "pinned by a malformed digest", input: Refusal.nodeLevel, check: "constraint 'builder'",
                reason: "image 'registry.internal/builder@sha256:not-a-digest' is not pinned by digest "
                    + "(write it as name@sha256:<64 lowercase hex>)")
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "g-process", governance: governance("{allowed: [\"registry.internal/*\"], pinned: true}"),
                consumeImage: "registry.internal/builder@sha256:\(digest)")
            let run = try await AttackTableTests.run(yaml, in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "image rule under the process runtime", input: Refusal.nodeLevel,
                check: "constraint 'builder'",
                reason: "it runs on the process runtime, where image 'registry.internal/builder@sha256:\(digest)' is "
                    + "only a label for a host command, not a container; the constraint governs images (run it on "
                    + "podman or docker, or state processRuntime: allow in the rule)")
        }
        try await EngineHarness.withDirectory { directory in
            let yaml = AttackTableTests.workflow(
                name: "g-process-allowed",
                governance: governance("{allowed: [\"registry.internal/*\"], pinned: true, processRuntime: allow}"),
                consumeImage: "registry.internal/builder@sha256:\(digest)")
            let run = try await AttackTableTests.run(yaml, in: directory)
            #expect(
                run.summary.phase == .succeeded,
                "\(run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" })")
        }
    }

    // MARK: - Memoization inside governance

    /// `train` (memoized in cache `models` under key `model`) printing `payload`, then `deploy`, which only takes
    /// inputs from `train`.
    static func memoized(name: String, payload: String, deployImage: String = "alpine", extra: String = "") -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
          governance:
            constraints:
              - name: trained-only
                appliesTo: {templates: [deploy]}
                inputs: {fromTemplates: [train]}
        \(extra)
          templates:
            - name: main
              dag:
                tasks:
                  - {name: train, template: train}
                  - name: deploy
                    template: deploy
                    depends: train
                    arguments:
                      parameters: [{name: model, value: "{{tasks.train.outputs.parameters.model}}"}]
            - name: train
              memoize:
                key: model
                cache: {configMap: {name: models}}
              container:
                image: alpine
                command: [sh, -c, "printf \(payload) > /tmp/model"]
              outputs:
                parameters:
                  - name: model
                    valueFrom: {path: /tmp/model}
            - name: deploy
              inputs:
                parameters: [{name: model}]
              container:
                image: \(deployImage)
                command: [echo, "{{inputs.parameters.model}}"]
        """
    }

    /// Regression: a second workflow with the same constraints text filled the cache (same cache name and key)
    /// with its own `train`'s output, and the strict workflow deployed it.
    @Test("another workflow's template cannot fill this one's cache: the key includes the template's digest")
    func memoizationAcrossWorkflows() async throws {
        try await EngineHarness.withDirectory { directory in
            let evil = try await AttackTableTests.run(Self.memoized(name: "g-evil", payload: "evil"), in: directory)
            #expect(evil.summary.phase == .succeeded)
            let strict = try await AttackTableTests.run(
                Self.memoized(name: "g-strict", payload: "genuine"),
                in: directory)
            #expect(strict.summary.phase == .succeeded)
            let train = try strict.node("train")
            #expect(train.message == "Memoization miss (cache 'models', key 'model'): outputs saved")
            #expect(try strict.inputParameters("deploy") == ["model=genuine"])
            let keys = try strict.store.memoizations(cacheName: "models").map(\.key)
            #expect(keys.count == 2, "\(keys)")
            print("attack-table | memoization filled by another workflow's template | \(train.message ?? "")")

            // Filing the other workflow's entry under this one's key (an edit of sluice.db) is refused: the cached
            // producer ran other code.
            let strictKey = try #require(
                keys.first { key in
                    try strict.store.memoization(cacheName: "models", key: key)?.runID == strict.run.id
                })
            let evilKey = try #require(keys.first { $0 != strictKey })
            try StoreTampering.execute(
                stateDirectory: strict.stateDirectory, sql: "DELETE FROM memoization_entries WHERE key = ?",
                arguments: [strictKey])
            try StoreTampering.execute(
                stateDirectory: strict.stateDirectory, sql: "UPDATE memoization_entries SET key = ? WHERE key = ?",
                arguments: [strictKey, evilKey])
            let again = try await AttackTableTests.run(
                Self.memoized(name: "g-strict", payload: "genuine"),
                in: directory)
            let refused = try again.node("train")
            #expect(refused.phase == .error)
            let message = refused.message ?? ""
            #expect(
                message.hasPrefix(
                    "memoized outputs refused: node 'train' refused: memoization: the cached "
                        + "outputs were produced by template 'train' (sha256:"), "\(message)")
            #expect(message.contains("this node runs 'train' (sha256:"), "\(message)")
            #expect(try again.store.denials(runID: again.run.id).map(\.check) == ["memoization"])
            #expect(again.summary.refused)
            print("attack-table | another template's cache entry filed under this key | \(message)")
        }
    }

    /// Regression: on a hit the node's own `images` rule and `require` were skipped, even within one run.
    @Test("a cache hit passes the node's own image rules and require")
    func memoizationHitGated() async throws {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: g-hit
            spec:
              entrypoint: main
              governance:
                constraints:
                  - name: internal
                    appliesTo: {tasks: [two]}
                    images: {allowed: ["registry.internal/*"], processRuntime: allow}
              templates:
                - name: main
                  steps:
                    - - {name: one, template: build}
                    - - {name: two, template: build}
                - name: build
                  memoize:
                    key: fixed
                    cache: {configMap: {name: builds}}
                  container:
                    image: alpine
                    command: [sh, -c, "echo built"]
            """
        try await EngineHarness.withDirectory { directory in
            let run = try await AttackTableTests.run(yaml, in: directory)
            #expect(try run.node("one").phase == .succeeded)
            let two = try run.node("two")
            #expect(two.phase == .error)
            #expect(
                two.message == "memoized outputs refused: node 'two' refused: constraint 'internal': image 'alpine' "
                    + "is not allowed (allowed: registry.internal/*)")
            #expect(try run.store.denials(runID: run.run.id).map(\.check) == ["constraint 'internal'"])
            #expect(run.summary.refused)
            print("attack-table | memoization hit skipping the node's image rule | \(two.message ?? "")")
        }
    }

    // MARK: - Submitted means all the code

    /// A WorkflowTemplate `lib` whose `train` prints `payload`.
    static func library(payload: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: lib
        spec:
          templates:
            - name: train
              container:
                image: alpine
                command: [sh, -c, "printf \(payload) > /tmp/model"]
              outputs:
                parameters:
                  - name: model
                    valueFrom: {path: /tmp/model}
        """
    }

    /// `train` is `lib`'s, through templateRef; `deploy` only takes inputs from `fromTemplates`.
    static func referencing(name: String, fromTemplates: String, deploySleeps: Bool = false) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
          governance:
            constraints:
              - name: trained-only
                appliesTo: {templates: [deploy]}
                inputs: {fromTemplates: \(fromTemplates)}
          templates:
            - name: main
              dag:
                tasks:
                  - name: train
                    templateRef: {name: lib, template: train}
                  - name: deploy
                    template: deploy
                    depends: train
                    arguments:
                      parameters: [{name: model, value: "{{tasks.train.outputs.parameters.model}}"}]
            - name: deploy
              inputs:
                parameters: [{name: model}]
              container:
                image: alpine
                command: [sh, -c, "\(deploySleeps ? "sleep 5; " : "")echo {{inputs.parameters.model}}"]
        """
    }

    /// Runs (or resumes) with `--templates FILE`.
    static func run(
        _ yaml: String, templates: String, in directory: String, resume: String? = nil, stopAfter: String? = nil
    ) async throws -> RecordedRun {
        let path = try EngineHarness.write(yaml, in: directory)
        let templatesPath = try EngineHarness.write(templates, in: directory, name: "templates.yaml")
        let state = directory + "/state"
        var request = RunRequest(workflowPath: path, stateDirectory: state, templatePaths: [templatesPath])
        request.resumeRun = resume
        var stopper: StopAfter?
        if let stopAfter { stopper = StopAfter(node: stopAfter, stop: request.stop) }
        let engine = WorkflowEngine(observer: stopper)
        let frozen = request
        let task = Task { try await engine.run(frozen) }
        stopper?.task.withLock { $0 = task }
        let summary = try await task.value
        let store = try Store(stateDirectory: state)
        let run = try store.run(named: summary.name)
        return RecordedRun(
            directory: directory, stateDirectory: state, summary: summary, store: store, run: run,
            nodes: try store.nodes(runID: run.id))
    }

    /// Regression: template names were not namespaced, so any WorkflowTemplate's `train` satisfied
    /// `fromTemplates: [train]`.
    @Test("a referenced template's identity is WorkflowTemplate/DOCUMENT/NAME with its digest, not a bare name")
    func templateIdentity() async throws {
        try await EngineHarness.withDirectory { directory in
            let run = try await Self.run(
                Self.referencing(name: "g-identity", fromTemplates: "[train]"),
                templates: Self.library(payload: "model"), in: directory)
            try AttackTableTests.expectRefusal(
                run, row: "another WorkflowTemplate's train for fromTemplates: [train]", node: "deploy",
                input: "train.outputs/parameters/model", check: "constraint 'trained-only'",
                reason: "it comes from template 'WorkflowTemplate/lib/train', not one of train (producer 'train')")
        }
        try await EngineHarness.withDirectory { directory in
            let run = try await Self.run(
                Self.referencing(name: "g-identity-ok", fromTemplates: "[\"WorkflowTemplate/lib/train\"]"),
                templates: Self.library(payload: "model"), in: directory)
            #expect(
                run.summary.phase == .succeeded,
                "\(run.nodes.map { "\($0.displayName): \($0.phase) \($0.message ?? "")" })")
            let digest = try #require(try run.node("train").envelopeDigest)
            let record = try #require(try run.store.envelope(payloadDigest: digest))
            let statement = try Statement(payloadBytes: try Envelope(jsonBytes: [UInt8](record.envelopeJSON)).payload)
            let predicate = try LineagePredicate(json: statement.predicate)
            #expect(predicate.node.templateName == "WorkflowTemplate/lib/train")
            let document = try #require(
                try SpecLoader.load(text: Self.library(payload: "model"), file: "t.yaml")
                    .documents.first)
            let tree = try #require(document.tree["spec"]?["templates"]?.elements.first)
            #expect(predicate.node.templateDigest == tree.canonicalJSON.digest)

            // Offline: the bundle carries the referenced templates; an edited one no longer matches the submission.
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            #expect(try BundleVerifier().verify(bundleAt: bundle).failures == [])
            let file = bundle + "/templates.json"
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "printf model", with: "printf evil").utf8)
                .write(to: URL(fileURLWithPath: file))
            try ExportFixtures.rewriteManifest(of: bundle)
            let failures = try BundleVerifier().verify(bundleAt: bundle).failures
            let failure = try #require(failures.first { $0.file == "templates.json" }, "\(failures)")
            #expect(
                failure.detail.hasPrefix(
                    "templates changed after submission: the submission attestation covers "
                        + "templates sha256:"), "\(failure)")
            print("attack-table | templates.json edited in a bundle (verify BUNDLE) | \(failure)")
        }
    }

    /// Regression: a registered or `--templates` template replaced before a `resume` ran different code under the
    /// same submission.
    @Test("resume refuses when a referenced template changed since the submission")
    func resumeWithChangedTemplate() async throws {
        try await EngineHarness.withDirectory { directory in
            let yaml = Self.referencing(
                name: "g-resume", fromTemplates: "[\"WorkflowTemplate/lib/train\"]", deploySleeps: true)
            let first = try await Self.run(
                yaml, templates: Self.library(payload: "model"), in: directory,
                stopAfter: "train")
            #expect(try first.node("train").phase == .succeeded)
            let resumed = try await Self.run(
                yaml, templates: Self.library(payload: "evil"), in: directory,
                resume: first.run.id)
            try AttackTableTests.expectRefusal(
                resumed, row: "template replaced before resume", node: "deploy", input: Refusal.nodeLevel,
                check: "submission",
                reason: "templates changed after submission (changed: WorkflowTemplate/lib/train): the submission "
                    + "attestation covers templates sha256:")
        }
    }

    // MARK: - The run's outcome is signed

    /// Regression: `status.json` and `denials.json` were covered by no signature: a refused run edited to
    /// Succeeded, its refused node and denial removed and the manifest recomputed, passed `verify --trust`.
    @Test("a refused run's bundle edited to Succeeded fails verification: the run attestation covers the outcome")
    func outcomeSigned() async throws {
        try await EngineHarness.withDirectory { directory in
            let governance = """
                  governance:
                    constraints:
                      - name: trained-only
                        appliesTo: {templates: [consume]}
                        inputs: {fromTemplates: [train]}
                """
            let run = try await AttackTableTests.run(
                AttackTableTests.workflow(
                    name: "g-outcome",
                    governance: governance), in: directory)
            #expect(run.summary.refused)
            let bundle = directory + "/bundle"
            _ = try BundleExporter(store: run.store, stateDirectory: run.stateDirectory).export(
                run: run.run, to: bundle)
            let trust = [try KeyStore.signingKey(path: nil, stateDirectory: run.stateDirectory).key.publicKey]
            let clean = try BundleVerifier(trustedKeys: trust).verify(bundleAt: bundle)
            #expect(clean.failures == [])
            #expect(clean.findings.contains { $0.file == "attestations/run.intoto.json" && $0.ok })

            // The forger's edit: Succeeded, the refused node gone, no denials, the manifest recomputed.
            let consume = try run.node("consume")
            let statusPath = bundle + "/status.json"
            var object = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statusPath)))
                    as? [String: Any])
            var status = try #require(object["status"] as? [String: Any])
            var nodes = try #require(status["nodes"] as? [String: Any])
            nodes[consume.id] = nil
            status["nodes"] = nodes
            status["phase"] = "Succeeded"
            status["message"] = nil
            object["status"] = status
            try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                .write(to: URL(fileURLWithPath: statusPath))
            try Data("[]".utf8).write(to: URL(fileURLWithPath: bundle + "/denials.json"))
            try ExportFixtures.rewriteManifest(of: bundle)
            let failures = try BundleVerifier(trustedKeys: trust).verify(bundleAt: bundle).failures
            #expect(
                failures.map(\.description) == [
                    "FAIL attestations/run.intoto.json: status.json is not what it signed (subject 'status'): it signed "
                        + "phase Error, status.json says Succeeded"
                ])
            print(
                "attack-table | refused run edited to Succeeded (verify BUNDLE) | \(failures.first?.description ?? "")")
        }
    }
}
