import SluiceSpec
import Testing

@Suite("DependencyGraph finds dependency cycles in execution order")
struct DependencyGraphTests {
    @Test("an acyclic diamond has no cycle")
    func diamond() {
        let graph = DependencyGraph(
            edges: ["a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]],
            order: ["a", "b", "c", "d"]
        )
        #expect(graph.firstCycle() == nil)
    }

    @Test("an empty graph has no cycle")
    func empty() {
        #expect(DependencyGraph(edges: [:], order: []).firstCycle() == nil)
    }

    @Test("a task that depends on itself is a cycle of one")
    func selfLoop() {
        let graph = DependencyGraph(edges: ["a": ["a"]], order: ["a"])
        #expect(graph.firstCycle() == ["a", "a"])
    }

    @Test("two tasks depending on each other")
    func twoCycle() {
        let graph = DependencyGraph(edges: ["a": ["b"], "b": ["a"]], order: ["a", "b"])
        #expect(graph.firstCycle() == ["a", "b", "a"])
    }

    /// Pins the bug where the cycle started wherever the search closed it (`test -> package -> build -> test`)
    /// instead of at the cycle's first-declared task.
    @Test("a three-task cycle reads in execution order from its first-declared task")
    func threeCycle() {
        // build needs package, test needs build, package needs test: build runs before test, test before package.
        let graph = DependencyGraph(
            edges: ["build": ["package"], "test": ["build"], "package": ["test"]],
            order: ["build", "test", "package"]
        )
        #expect(graph.firstCycle() == ["build", "test", "package", "build"])
    }

    @Test("a cycle entered from a task outside it leaves that task out")
    func enteredFromOutside() {
        let graph = DependencyGraph(
            edges: ["entry": ["c"], "b": ["d"], "c": ["b"], "d": ["c"]],
            order: ["entry", "b", "c", "d"]
        )
        #expect(graph.firstCycle() == ["b", "c", "d", "b"])
    }

    @Test("of two cycles, the one reached first in declaration order is reported")
    func firstOfTwo() {
        let graph = DependencyGraph(
            edges: ["x": ["y"], "y": ["x"], "a": ["b"], "b": ["a"]],
            order: ["x", "y", "a", "b"]
        )
        #expect(graph.firstCycle() == ["x", "y", "x"])
    }

    @Test("dependencies on tasks missing from the graph are not cycles")
    func unknownDependency() {
        let graph = DependencyGraph(edges: ["a": ["ghost"], "b": ["a", "ghost"]], order: ["a", "b"])
        #expect(graph.firstCycle() == nil)
    }

    @Test("a long chain is acyclic and closing it makes one cycle through every task")
    func longChain() {
        let names = (0..<200).map { "t\($0)" }
        var edges: [String: [String]] = [:]
        for index in 1..<names.count { edges[names[index]] = [names[index - 1]] }
        #expect(DependencyGraph(edges: edges, order: names).firstCycle() == nil)
        edges[names[0]] = [names[names.count - 1]]
        #expect(DependencyGraph(edges: edges, order: names).firstCycle() == names + [names[0]])
    }
}
