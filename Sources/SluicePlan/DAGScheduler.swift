import SluiceExpressions
package import SluiceSpec

/// The pure scheduling logic of a DAG template: which tasks can start, which are omitted, and the DAG's phase.
///
/// It performs no I/O: the executor feeds it finished tasks and performs the decisions it returns.
package struct DAGScheduler: Sendable {
    /// What to do with a task whose dependencies have all finished.
    package enum Decision: Sendable, Equatable {
        case start(String)
        case omit(String)
    }

    package let tasks: [DAGTask]
    /// The tasks whose phases decide the DAG's phase; nil means the leaf tasks.
    package let targets: [String]?
    private let dependencies: [String: [String]]
    private let logic: [String: DependsExpression]
    private let continueOn: [String: ContinueOn]
    package private(set) var phases: [String: NodePhase] = [:]
    package private(set) var decided: Set<String> = []
    private var loopResults: [String: (anySucceeded: Bool, allFailed: Bool)] = [:]
    /// The scheduled tasks that depend on each task (each once).
    private let dependents: [String: [Int]]
    /// For each scheduled task, how many of its distinct dependencies have not started yet (reached a fulfilled
    /// phase, or Running for a daemon): the task is ready when it reaches 0.
    private var unmet: [Int]
    /// The tasks already counted as started in `unmet` (each counts once, even when its phase changes again).
    private var started: Set<String> = []
    /// Undecided tasks with no unmet dependency, as indices into `tasks`.
    private var ready: Set<Int> = []

    /// - Parameter targets: when given (Argo's `target`), only these tasks and what they depend on are scheduled.
    /// - Throws: ``EngineError/badExpression(expression:reason:context:)`` for a `depends` that does not parse.
    package init(dag: DAGTemplate, targets: [String]? = nil) throws(EngineError) {
        var tasks = dag.tasks
        var dependencies: [String: [String]] = [:]
        var logic: [String: DependsExpression] = [:]
        var continueOn: [String: ContinueOn] = [:]
        for task in dag.tasks {
            let expression: DependsExpression
            if let depends = task.depends {
                do {
                    expression = try DependsExpression(parsing: depends)
                } catch {
                    throw .badExpression(
                        expression: depends, reason: error.description,
                        context: "'depends' of task '\(task.name)'")
                }
            } else {
                expression = DependsExpression(dependencies: task.dependencies ?? [])
            }
            logic[task.name] = expression
            dependencies[task.name] = expression.taskNames
            if let value = task.continueOn { continueOn[task.name] = value }
        }
        if let targets {
            var needed: Set<String> = []
            var pending = targets
            while let name = pending.popLast() {
                guard needed.insert(name).inserted else { continue }
                pending.append(contentsOf: dependencies[name] ?? [])
            }
            tasks = tasks.filter { needed.contains($0.name) }
            self.targets = targets
        } else {
            self.targets = nil
        }
        self.tasks = tasks
        self.dependencies = dependencies
        self.logic = logic
        self.continueOn = continueOn
        var dependents: [String: [Int]] = [:]
        var unmet: [Int] = []
        for (index, task) in tasks.enumerated() {
            let distinct = Set(dependencies[task.name] ?? [])
            for dependency in distinct { dependents[dependency, default: []].append(index) }
            unmet.append(distinct.count)
            if distinct.isEmpty { ready.insert(index) }
        }
        self.dependents = dependents
        self.unmet = unmet
    }

    /// Records that a task's node reached a fulfilled phase; for a loop, whether any iteration succeeded and
    /// whether all failed (`.AnySucceeded`, `.AllFailed`).
    package mutating func taskFinished(
        _ name: String, phase: NodePhase, anySucceeded: Bool? = nil, allFailed: Bool? = nil
    ) {
        phases[name] = phase
        if phase.isFulfilled || phase == .running, started.insert(name).inserted {
            for index in dependents[name] ?? [] {
                unmet[index] -= 1
                if unmet[index] == 0 { ready.insert(index) }
            }
        }
        if let anySucceeded { loopResults[name, default: (false, false)].anySucceeded = anySucceeded }
        if let allFailed { loopResults[name, default: (false, false)].allFailed = allFailed }
    }

    /// Decisions for every undecided task whose dependencies have all finished, in declaration order.
    ///
    /// Costs O(ready tasks): tasks become ready as ``taskFinished(_:phase:anySucceeded:allFailed:)`` counts down
    /// their dependencies, so a DAG of n tasks is scheduled in O(n + edges), not O(n²).
    package mutating func nextDecisions() -> [Decision] {
        var decisions: [Decision] = []
        let indices = ready.sorted()
        ready.removeAll(keepingCapacity: true)
        for index in indices {
            let task = tasks[index]
            guard decided.insert(task.name).inserted else { continue }
            let expression = logic[task.name] ?? DependsExpression(dependencies: [])
            let satisfied = expression.evaluate { name in results(of: name) }
            decisions.append(satisfied ? .start(task.name) : .omit(task.name))
        }
        return decisions
    }

    /// What `depends` sees of a finished task. With `continueOn`, a failed task counts as a success for bare names,
    /// as Argo's dependency expansion does.
    private func results(of name: String) -> TaskResults {
        let phase = phases[name]
        let tolerated =
            phase.map { $0.isFailedOrError && ContinueOn.allows(continueOn[name], after: $0) } ?? false
        return TaskResults(
            succeeded: phase == .succeeded || tolerated, failed: phase == .failed, errored: phase == .error,
            // A task that returned while still Running is a daemon (`daemon: true`) that keeps running.
            skipped: phase == .skipped, omitted: phase == .omitted, daemoned: phase == .running,
            anySucceeded: loopResults[name]?.anySucceeded ?? (phase == .succeeded),
            allFailed: loopResults[name]?.allFailed ?? (phase == .failed))
    }

    /// Tasks that no other task depends on: the DAG's default targets.
    package var leafTasks: [String] {
        let scheduled = Set(tasks.map(\.name))
        let depended = Set(dependencies.filter { scheduled.contains($0.key) }.values.flatMap { $0 })
        return tasks.map(\.name).filter { !depended.contains($0) }
    }

    /// The DAG's phase once every task is fulfilled, following Argo's `assessDAGPhase`: each target's branch phase
    /// is its own phase when it ran, else the phase inherited from the branch that led to it; a failed or errored
    /// target without `continueOn` fails the DAG.
    package func phase(targets: [String]? = nil) -> NodePhase {
        var memo: [String: NodePhase] = [:]
        func branchPhase(_ name: String) -> NodePhase {
            if let known = memo[name] { return known }
            let own = phases[name] ?? .omitted
            var result: NodePhase
            if own.isCompleted {
                result = own
            } else {
                result = .succeeded
                for dependency in dependencies[name] ?? [] {
                    let inherited = branchPhase(dependency)
                    if inherited.isFailedOrError {
                        result = inherited
                        break
                    }
                }
            }
            memo[name] = result
            return result
        }
        for target in targets ?? self.targets ?? leafTasks {
            let phase = branchPhase(target)
            guard phase.isFailedOrError else { continue }
            if !ContinueOn.allows(continueOn[target], after: phase) { return phase }
        }
        return .succeeded
    }

    /// The tasks `name` depends on.
    package func dependencies(of name: String) -> [String] { dependencies[name] ?? [] }
}
