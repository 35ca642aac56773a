import SluicePlan
import SluiceSpec
import Testing

/// The pure DAG scheduler, fed finished phases by hand: no processes, no store.
@Suite("DAGScheduler")
struct DAGSchedulerTests {
    /// Builds a scheduler from the `tasks:` lines of a DAG template named `main`.
    static func scheduler(_ tasks: String) throws -> DAGScheduler {
        let text = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: scheduler
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    tasks:
            \(tasks)
                - name: work
                  container:
                    image: alpine
                    command: ["true"]
            """
        let loaded = try SpecLoader.load(text: text, file: "scheduler.yaml")
        let document = try #require(loaded.documents.first)
        let dag = try #require(document.workflow.spec.template(named: "main")?.dag)
        return try DAGScheduler(dag: dag)
    }

    static let diamond = """
                      - {name: A, template: work}
                      - {name: B, template: work, depends: A}
                      - {name: C, template: work, depends: A}
                      - {name: D, template: work, depends: B && C}
        """

    @Test("a diamond starts A, then B and C together, then D only once both have finished")
    func diamondOrdering() throws {
        var scheduler = try Self.scheduler(Self.diamond)
        #expect(scheduler.nextDecisions() == [.start("A")])
        #expect(scheduler.nextDecisions() == [])
        scheduler.taskFinished("A", phase: .succeeded)
        #expect(scheduler.nextDecisions() == [.start("B"), .start("C")])
        scheduler.taskFinished("B", phase: .succeeded)
        #expect(scheduler.nextDecisions() == [])
        scheduler.taskFinished("C", phase: .succeeded)
        #expect(scheduler.nextDecisions() == [.start("D")])
        scheduler.taskFinished("D", phase: .succeeded)
        #expect(scheduler.nextDecisions() == [])
        #expect(scheduler.leafTasks == ["D"])
        #expect(scheduler.dependencies(of: "D") == ["B", "C"])
        #expect(scheduler.phase() == .succeeded)
    }

    @Test("the legacy dependencies list orders tasks like depends does")
    func legacyDependencies() throws {
        var scheduler = try Self.scheduler(
            """
                          - {name: A, template: work}
                          - {name: B, template: work, dependencies: [A]}
            """)
        #expect(scheduler.nextDecisions() == [.start("A")])
        scheduler.taskFinished("A", phase: .succeeded)
        #expect(scheduler.nextDecisions() == [.start("B")])
    }

    @Test("depends A.Failed starts B after A failed and omits it after A succeeded")
    func dependsFailed() throws {
        let tasks = """
                          - {name: A, template: work}
                          - {name: B, template: work, depends: A.Failed}
            """
        var failing = try Self.scheduler(tasks)
        _ = failing.nextDecisions()
        failing.taskFinished("A", phase: .failed)
        #expect(failing.nextDecisions() == [.start("B")])
        failing.taskFinished("B", phase: .succeeded)
        // The failure of A was handled by B: the DAG's only target B succeeded.
        #expect(failing.phase() == .succeeded)

        var succeeding = try Self.scheduler(tasks)
        _ = succeeding.nextDecisions()
        succeeding.taskFinished("A", phase: .succeeded)
        #expect(succeeding.nextDecisions() == [.omit("B")])
        succeeding.taskFinished("B", phase: .omitted)
        #expect(succeeding.phase() == .succeeded)
    }

    @Test("depends A.Skipped starts B only when A was skipped")
    func dependsSkipped() throws {
        let tasks = """
                          - {name: A, template: work}
                          - {name: B, template: work, depends: A.Skipped}
            """
        var skipped = try Self.scheduler(tasks)
        _ = skipped.nextDecisions()
        skipped.taskFinished("A", phase: .skipped)
        #expect(skipped.nextDecisions() == [.start("B")])

        var ran = try Self.scheduler(tasks)
        _ = ran.nextDecisions()
        ran.taskFinished("A", phase: .succeeded)
        #expect(ran.nextDecisions() == [.omit("B")])
    }

    @Test("a failure omits the whole chain below it, and the omitted leaf fails the DAG with the failure's phase")
    func omittedPropagation() throws {
        var scheduler = try Self.scheduler(
            """
                          - {name: A, template: work}
                          - {name: B, template: work, depends: A}
                          - {name: C, template: work, depends: B}
            """)
        _ = scheduler.nextDecisions()
        scheduler.taskFinished("A", phase: .failed)
        #expect(scheduler.nextDecisions() == [.omit("B")])
        scheduler.taskFinished("B", phase: .omitted)
        #expect(scheduler.nextDecisions() == [.omit("C")])
        scheduler.taskFinished("C", phase: .omitted)
        #expect(scheduler.phase() == .failed)
    }

    @Test("an errored task omits its dependents and makes the DAG Error")
    func errorPropagation() throws {
        var scheduler = try Self.scheduler(Self.diamond)
        _ = scheduler.nextDecisions()
        scheduler.taskFinished("A", phase: .succeeded)
        _ = scheduler.nextDecisions()
        scheduler.taskFinished("B", phase: .error)
        scheduler.taskFinished("C", phase: .succeeded)
        #expect(scheduler.nextDecisions() == [.omit("D")])
        scheduler.taskFinished("D", phase: .omitted)
        #expect(scheduler.phase() == .error)
    }

    @Test("a failed leaf fails the DAG even when the other branches succeeded")
    func failedLeaf() throws {
        var scheduler = try Self.scheduler(
            """
                          - {name: A, template: work}
                          - {name: B, template: work}
            """)
        #expect(scheduler.nextDecisions() == [.start("A"), .start("B")])
        scheduler.taskFinished("A", phase: .succeeded)
        scheduler.taskFinished("B", phase: .failed)
        #expect(scheduler.leafTasks == ["A", "B"])
        #expect(scheduler.phase() == .failed)
        // With an explicit target, only that branch counts.
        #expect(scheduler.phase(targets: ["A"]) == .succeeded)
    }

    @Test("continueOn failed lets dependents start and keeps the DAG Succeeded")
    func continueOnFailed() throws {
        var scheduler = try Self.scheduler(
            """
                          - {name: A, template: work, continueOn: {failed: true}}
                          - {name: B, template: work, depends: A}
                          - {name: C, template: work, continueOn: {failed: true}}
            """)
        #expect(scheduler.nextDecisions() == [.start("A"), .start("C")])
        scheduler.taskFinished("A", phase: .failed)
        #expect(scheduler.nextDecisions() == [.start("B")])
        scheduler.taskFinished("B", phase: .succeeded)
        scheduler.taskFinished("C", phase: .failed)
        #expect(scheduler.phase() == .succeeded)
    }

    @Test("continueOn failed does not tolerate an Error")
    func continueOnFailedIsNotError() throws {
        var scheduler = try Self.scheduler(
            """
                          - {name: A, template: work, continueOn: {failed: true}}
            """)
        _ = scheduler.nextDecisions()
        scheduler.taskFinished("A", phase: .error)
        #expect(scheduler.phase() == .error)
    }

    @Test("a depends expression that does not parse is an EngineError naming the task")
    func badDepends() throws {
        #expect {
            _ = try Self.scheduler(
                """
                              - {name: A, template: work}
                              - {name: B, template: work, depends: "A &&"}
                """)
        } throws: { error in
            guard case EngineError.badExpression(let expression, _, let context) = error else { return false }
            return expression == "A &&" && context == "'depends' of task 'B'"
        }
    }
}
