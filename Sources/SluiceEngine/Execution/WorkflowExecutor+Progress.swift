import Foundation
import SluiceRuntimes

extension WorkflowExecutor {
    /// Where a pod writes its progress unless its env names another file: `ARGO_PROGRESS_FILE`, as Argo sets it.
    static let defaultProgressFile = "/tmp/argo-progress"

    /// The progress file of a node with this environment: the env's `ARGO_PROGRESS_FILE` when the template sets
    /// it, else ``defaultProgressFile``; nil without isolation, where `/tmp` is the host's and shared.
    func progressFile(in environment: [String: String], templateSetsIt: Bool) -> String? {
        guard runtime.isolation != .none else { return nil }
        if templateSetsIt, let path = environment["ARGO_PROGRESS_FILE"], path.hasPrefix("/") { return path }
        return Self.defaultProgressFile
    }

    /// The progress a finished pod reported: the last line of its progress file read as `N/M` (Argo's executor),
    /// completed to `M/M` when the pod Succeeded; nil when it wrote nothing readable.
    func reportedProgress(of invocation: NodeInvocation, succeeded: Bool) -> String? {
        guard let path = invocation.environment["ARGO_PROGRESS_FILE"],
            let read = try? runtime.fileView(of: invocation.sandbox).readTail(path, limit: 4096)
        else { return nil }
        let text = String(decoding: read.bytes, as: UTF8.self)
        guard let line = text.split(whereSeparator: \.isNewline).last,
            let (done, total) = Self.parseProgress(String(line))
        else { return nil }
        return succeeded ? "\(total)/\(total)" : "\(done)/\(total)"
    }

    /// `N/M` with `0 ≤ N ≤ M` and `M > 0` (Argo's `ParseProgress`), or nil.
    static func parseProgress(_ text: String) -> (Int, Int)? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let done = Int(parts[0]), let total = Int(parts[1]), done >= 0, total > 0,
            done <= total
        else { return nil }
        return (done, total)
    }
}
