import Foundation
import SluiceRuntimes

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh host directory for one test's nodes, with builders for invocations and checks for leftover processes.
struct NodeFixture {
    /// The fixture's root, a new directory under the host's temporary directory.
    let root: String
    /// A value unique to this fixture, used in marker arguments (`sleep 300.<marker>`).
    let marker: String

    /// Creates the fixture directory; also ignores SIGPIPE and plants an engine secret once per process.
    init() throws {
        _ = Self.processSetUp
        let unique = UUID().uuidString.lowercased()
        root = FileManager.default.temporaryDirectory.path + "/sluice-rt-" + unique
        marker = String(UInt32.random(in: 100_000...999_999))
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// An environment variable set in the test process that must never reach a node.
    static let engineSecretName = "SLUICE_TEST_SECRET"

    private static let processSetUp: Void = {
        signal(SIGPIPE, SIG_IGN)
        // scripts/test.sh exports it before `swift test`: setenv while other tests' threads spawn processes can
        // crash them (environ is reallocated under their feet), so it is only set here for runs without test.sh.
        if getenv(engineSecretName) == nil { setenv(engineSecretName, "hunter2-must-not-leak", 1) }
    }()

    /// The node directory of `node` (created, as the engine does for a node it writes files for, when `creates`).
    func nodeDirectory(_ node: String, creates: Bool = true) -> String {
        let path = root + "/nodes/" + node
        if creates { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        return path
    }

    /// An invocation of `executable` for `node` with logs in the fixture and `PATH=/usr/bin:/bin` by default.
    func invocation(
        _ node: String,
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = ["PATH": "/usr/bin:/bin"],
        workingDirectory: String? = nil,
        privatePaths: [String] = [],
        readOnlyBinds: [SandboxLayout.Bind] = [],
        timeout: Duration? = nil,
        createsDirectory: Bool = true
    ) -> NodeInvocation {
        let directory = nodeDirectory(node, creates: createsDirectory)
        return NodeInvocation(
            runName: "run-test",
            nodeName: node,
            executable: executable,
            arguments: arguments,
            environment: environment,
            workingDirectory: workingDirectory,
            sandbox: SandboxLayout(
                nodeDirectory: directory,
                privatePaths: privatePaths,
                readOnlyBinds: readOnlyBinds
            ),
            stdoutPath: directory + "/stdout.log",
            stderrPath: directory + "/stderr.log",
            timeout: timeout
        )
    }

    /// Writes `text` to `path` in the fixture, creating parents; returns the absolute path.
    @discardableResult
    func write(_ text: String, to relativePath: String) throws -> String {
        let path = root + "/" + relativePath
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        // Close-on-exec: Foundation's write leaves its descriptor inheritable, and a node another test forked
        // meanwhile kept the file open for writing, so that executing it failed with ETXTBSY ("Text file busy").
        if let failure = HostFiles.writeUnsynced(Array(text.utf8), to: path) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(path): \(failure)"])
        }
        return path
    }

    /// Removes the fixture directory.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// The contents of `path` as UTF-8, or `nil` when it cannot be read.
func contents(of path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

/// The PIDs of live (non-zombie) processes whose command line contains `marker`, as `pgrep -f` finds them.
func livingProcesses(matching marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    var found: [Int32] = []
    for entry in entries {
        guard let pid = Int32(entry), pid != getpid() else { continue }
        guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else {
            continue
        }
        let commandLine = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        guard commandLine.contains(marker) else { continue }
        let status = contents(of: "/proc/\(entry)/stat") ?? ""
        if let close = status.lastIndex(of: ")"), status[close...].dropFirst(2).first == "Z" { continue }
        found.append(pid)
    }
    return found
}

/// Waits (up to `limit`) until no live process matches `marker`; returns those still alive.
func processesSurviving(_ marker: String, limit: Duration = .seconds(5)) async -> [Int32] {
    let deadline = ContinuousClock.now + limit
    var alive = livingProcesses(matching: marker)
    while !alive.isEmpty && ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(20))
        alive = livingProcesses(matching: marker)
    }
    return alive
}

/// The isolations to exercise on this host: always `.none`, and `.bubblewrap` where it works.
let availableIsolations: [Isolation] =
    ProcessRuntime.detectedIsolation == .bubblewrap ? [.none, .bubblewrap] : [.none]
