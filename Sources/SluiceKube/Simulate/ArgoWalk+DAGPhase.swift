import SluiceExpressions

extension ArgoWalk {
    /// A finished DAG's phase, as Argo's `assessDAGPhase` decides it: each target's (by default each leaf task's,
    /// one no other task depends on) branch phase is its own when it completed, else the first failed or errored
    /// phase of a dependency's branch; a failed or errored target without `continueOn` for it fails the DAG. A task
    /// whose failure another task's `depends` consumes (`C.Failed`) is no leaf, so it does not fail the DAG.
    ///
    /// - Throws: ``KubeError/simulation(reason:)`` when a task's `depends` does not parse.
    static func assess(_ tasks: [RenderedYAML], phases: [String: WalkPhase], targets: String?) throws(KubeError)
        -> WalkPhase
    {
        var dependencies: [String: [String]] = [:]
        for task in tasks {
            guard let name = task["name"]?.scalarText else { continue }
            dependencies[name] = try depends(of: task).taskNames
        }
        let depended = Set(dependencies.values.flatMap { $0 })
        let names = tasks.compactMap { $0["name"]?.scalarText }
        let chosen =
            targets.map { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
            ?? names.filter { !depended.contains($0) }
        var memo: [String: WalkPhase] = [:]
        func branch(_ name: String) -> WalkPhase {
            if let known = memo[name] { return known }
            let own = phases[name] ?? .omitted
            var result = own
            if own != .succeeded && own != .failed && own != .error {
                result = .succeeded
                for dependency in dependencies[name] ?? [] {
                    let inherited = branch(dependency)
                    if inherited == .failed || inherited == .error {
                        result = inherited
                        break
                    }
                }
            }
            memo[name] = result
            return result
        }
        for target in chosen {
            let phase = branch(target)
            let continueOn = tasks.first { $0["name"]?.scalarText == target }?["continueOn"]
            if fails(phase, continueOn: continueOn) { return phase }
        }
        return .succeeded
    }
}
