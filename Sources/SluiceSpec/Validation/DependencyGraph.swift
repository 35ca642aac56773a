/// Task dependencies of a DAG, for cycle detection and ordering.
package struct DependencyGraph: Sendable {
    /// task -> the tasks it depends on.
    package var edges: [String: [String]]
    /// Declaration order, so results are deterministic.
    package var order: [String]

    package init(edges: [String: [String]], order: [String]) {
        self.edges = edges
        self.order = order
    }

    /// The first dependency cycle found, as a path that starts and ends with the same task
    /// (`["build", "test", "package", "build"]`), or nil when the graph is acyclic.
    ///
    /// The path follows "depends on" edges reversed so it reads in execution order.
    package func firstCycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []

        func visit(_ task: String) -> [String]? {
            marks[task] = .visiting
            stack.append(task)
            for dependency in edges[task] ?? [] {
                switch marks[dependency] {
                case .visiting:
                    guard let start = stack.firstIndex(of: dependency) else { continue }
                    // stack: dependency ... task, each depending on the next; execution order is the reverse.
                    let loop = Array(stack[start...])
                    return Array(loop.reversed()) + [loop.last ?? dependency]
                case .done:
                    continue
                case nil:
                    if let cycle = visit(dependency) { return cycle }
                }
            }
            stack.removeLast()
            marks[task] = .done
            return nil
        }

        for task in order where marks[task] == nil {
            if let cycle = visit(task) { return cycle }
        }
        return nil
    }
}
