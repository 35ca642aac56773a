import Foundation
import SluiceEngine
import SluiceExpressions
import SluiceRuntimes
import SluiceStore
import SluiceTesting
import Testing

/// A finished run as the store recorded it, with lookups by display name.
struct RecordedRun {
    let directory: String
    let stateDirectory: String
    let summary: RunSummary
    let store: Store
    let run: RunRecord
    let nodes: [NodeRecord]

    /// The one node with this display name; records an issue when there is none or several.
    func node(_ displayName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> NodeRecord {
        let matches = nodes.filter { $0.displayName == displayName }
        let all = nodes.map(\.displayName).joined(separator: ", ")
        try #require(
            matches.count == 1, "expected one node named '\(displayName)', found \(matches.count): \(all)",
            sourceLocation: sourceLocation)
        return matches[0]
    }

    /// The node's outputs decoded from the store (empty when it has none).
    func outputs(_ displayName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> NodeOutputs
    {
        guard let json = try node(displayName, sourceLocation: sourceLocation).outputsJSON else { return NodeOutputs() }
        return try JSONDecoder().decode(NodeOutputs.self, from: Data(json.utf8))
    }

    /// The node's inputs decoded from the store (empty when it has none).
    func inputs(_ displayName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> NodeInputs {
        let json =
            try node(displayName, sourceLocation: sourceLocation).inputsJSON
            ?? #"{"parameters":[],"artifacts":[]}"#
        return try JSONDecoder().decode(NodeInputs.self, from: Data(json.utf8))
    }

    /// A node's input parameters as `name=value` lines, in order.
    func inputParameters(_ displayName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> [String]
    {
        try inputs(displayName, sourceLocation: sourceLocation).parameters.map { "\($0.name)=\($0.value)" }
    }

    /// The value of an output parameter of a node, or nil.
    func parameter(_ name: String, of displayName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws
        -> String?
    {
        try outputs(displayName, sourceLocation: sourceLocation).parameters.first { $0.name == name }?.value
    }

    /// The children ids of a node, decoded.
    func children(_ displayName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String] {
        let json = try node(displayName, sourceLocation: sourceLocation).childrenJSON
        return try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }

    /// The display names of a node's children, in the recorded order.
    func childNames(_ displayName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String]
    {
        let byID = Dictionary(nodes.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        return try children(displayName, sourceLocation: sourceLocation).map { byID[$0] ?? "?\($0)" }
    }
}

/// Runs inline workflows through the real engine, with a fresh state directory in a fresh temporary directory.
enum EngineHarness {
    /// Writes `yaml` to `workflow.yaml` in `directory` and returns the path.
    static func write(_ yaml: String, in directory: String, name: String = "workflow.yaml") throws -> String {
        let path = directory + "/" + name
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `yaml` with the process runtime (isolation detected) in `directory` and reads back the store.
    static func run(
        _ yaml: String, in directory: String, parameters: [(name: String, value: String)] = [],
        observer: (any RunObserver)? = nil, runtime: any NodeRuntime = ProcessRuntime()
    ) async throws -> RecordedRun {
        let path = try write(yaml, in: directory)
        let stateDirectory = directory + "/state"
        let engine = WorkflowEngine(runtime: runtime, observer: observer)
        let summary = try await engine.run(
            RunRequest(
                workflowPath: path, parameters: parameters.map { ParameterValue(name: $0.name, value: $0.value) },
                stateDirectory: stateDirectory))
        let store = try Store(stateDirectory: stateDirectory)
        let run = try store.run(named: summary.name)
        return RecordedRun(
            directory: directory, stateDirectory: stateDirectory, summary: summary, store: store, run: run,
            nodes: try store.nodes(runID: run.id))
    }

    /// Runs `body` with a fresh temporary directory that is removed afterwards (read-only artifacts included).
    static func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = try StoreSupport.makeTemporaryDirectory(prefix: "sluice-engine-test")
        defer { StoreSupport.removeStateDirectory(path) }
        return try await body(path)
    }
}
