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
    /// The path follows "depends on" edges reversed so it reads in execution order, and starts at the cycle's task
    /// declared first in `order`, so the text does not depend on where the search entered the cycle.
    package func firstCycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })

        func visit(_ task: String) -> [String]? {
            marks[task] = .visiting
            stack.append(task)
            for dependency in edges[task] ?? [] {
                switch marks[dependency] {
                case .visiting:
                    guard let start = stack.firstIndex(of: dependency) else { continue }
                    // stack: dependency ... task, each depending on the next; execution order is the reverse.
                    let cycle = Array(stack[start...].reversed())
                    let rank = { (name: String) in position[name] ?? Int.max }
                    let first = cycle.indices.min { rank(cycle[$0]) < rank(cycle[$1]) } ?? 0
                    let rotated = Array(cycle[first...] + cycle[..<first])
                    return rotated + [rotated[0]]
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
