package import Foundation
package import SluiceSpec
package import SluiceStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Brings `http` and `git` input artifacts from outside the run into the artifact store, so they are digested,
/// verified by the gate and bound read-only like any other input.
///
/// Fetched bytes have no producer node: the consumer's lineage lists them as inputs without `producerNode`, and
/// the node's recorded input carries where they came from (`from`: the URL, or `git+REPO@COMMIT`).
package struct ArtifactFetcher: Sendable {
    /// How long one download or clone may take.
    package static let timeout: TimeInterval = 120

    package let store: ArtifactStore
    package let lineage: LineageSigner
    /// A directory for staging downloads and checkouts (removed after storing).
    package let stagingDirectory: String

    /// Creates a fetcher staging under `stagingDirectory`.
    package init(store: ArtifactStore, lineage: LineageSigner, stagingDirectory: String) {
        self.store = store
        self.lineage = lineage
        self.stagingDirectory = stagingDirectory
    }

    // MARK: - HTTP

    /// Downloads `url` with GET (and `headers`) and stores the body as a file artifact named `name`.
    ///
    /// - Returns: the stored reference and the URL, as the artifact's origin.
    /// - Throws: ``EngineError/artifactUnavailable(name:reason:)`` for a bad URL, a transport failure or a status
    ///   other than 2xx, naming the URL and the status.
    package func download(_ url: String, headers: [HTTPHeader], name: String) async throws(EngineError)
        -> ArtifactReference
    {
        guard let target = URL(string: url), let scheme = target.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw .artifactUnavailable(name: name, reason: "'\(url)' is not an http or https URL")
        }
        var request = URLRequest(url: target, timeoutInterval: Self.timeout)
        for header in headers { request.setValue(header.value, forHTTPHeaderField: header.name) }
        let body: Data
        let response: URLResponse
        do {
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            (body, response) = try await session.data(for: request)
        } catch {
            throw .artifactUnavailable(name: name, reason: "GET \(url) failed: \(error.localizedDescription)")
        }
        if let status = (response as? HTTPURLResponse)?.statusCode, !(200..<300).contains(status) {
            throw .artifactUnavailable(name: name, reason: "GET \(url) answered HTTP \(status)")
        }
        let staging = stagingDirectory + "/http-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do {
            try body.write(to: URL(fileURLWithPath: staging))
        } catch {
            throw .artifactUnavailable(name: name, reason: "cannot stage the download of \(url): \(error.localizedDescription)")
        }
        let digest = try lineage.digest(ofFile: staging)
        do {
            let stored = try store.put(fileAt: staging, digest: digest)
            return ArtifactReference(name: name, kind: .file, digest: digest, storedPath: stored)
        } catch {
            throw .artifactUnavailable(name: name, reason: error.description)
        }
    }

    // MARK: - Git

    /// Clones `git.repo` (`git` on the host's PATH), checks out `git.revision` and stores the work tree, without its
    /// `.git` directory, as a directory artifact named `name`.
    ///
    /// The `.git` directory is left out so that the digest depends only on the checked-out files.
    /// - Returns: the stored reference and the commit checked out (full SHA).
    /// - Throws: ``EngineError/artifactUnavailable(name:reason:)`` naming the repository, the git command and its
    ///   last error line.
    package func clone(_ git: GitArtifact, name: String) async throws(EngineError) -> (ArtifactReference, commit: String) {
        let checkout = stagingDirectory + "/git-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: checkout) }
        var arguments = ["clone", "--quiet"]
        if let depth = git.depth, depth > 0 { arguments += ["--depth", String(depth)] }
        if let branch = git.branch { arguments += ["--branch", branch] }
        if git.singleBranch == true { arguments.append("--single-branch") }
        if git.disableSubmodules != true { arguments.append("--recurse-submodules") }
        arguments += ["--", git.repo, checkout]
        try await runGit(arguments, in: nil, name: name, repo: git.repo)
        for refspec in git.fetch ?? [] {
            try await runGit(["fetch", "--quiet", "origin", refspec], in: checkout, name: name, repo: git.repo)
        }
        if let revision = git.revision, !revision.isEmpty {
            try await runGit(["checkout", "--quiet", "--detach", revision], in: checkout, name: name, repo: git.repo)
            if git.disableSubmodules != true {
                try await runGit(["submodule", "update", "--init", "--recursive", "--quiet"], in: checkout, name: name,
                                 repo: git.repo)
            }
        }
        let commit = try await runGit(["rev-parse", "HEAD"], in: checkout, name: name, repo: git.repo)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            try FileManager.default.removeItem(atPath: checkout + "/.git")
        } catch {
            throw .artifactUnavailable(name: name, reason: "cannot remove .git from the checkout of \(git.repo): \(error.localizedDescription)")
        }
        let digest = try lineage.digest(ofDirectory: checkout)
        do {
            let stored = try store.put(directoryAt: checkout, digest: digest)
            return (ArtifactReference(name: name, kind: .directory, digest: digest, storedPath: stored), commit)
        } catch {
            throw .artifactUnavailable(name: name, reason: error.description)
        }
    }

    /// Runs `git ARGUMENTS` without a terminal prompt and returns its standard output.
    @discardableResult
    private func runGit(_ arguments: [String], in directory: String?, name: String, repo: String)
        async throws(EngineError) -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ASKPASS"] = "/bin/false"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let command = "git " + arguments.joined(separator: " ")
        do {
            try process.run()
        } catch {
            throw .artifactUnavailable(name: name, reason: "cannot run '\(command)': \(error.localizedDescription)")
        }
        // Read both pipes to the end before waiting, so a chatty git cannot block on a full pipe.
        async let stdout = output.fileHandleForReading.readToEnd()
        async let stderr = errors.fileHandleForReading.readToEnd()
        let (outData, errData) = (try? await stdout, try? await stderr)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: (errData ?? nil) ?? Data(), as: UTF8.self)
            let last = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? "no error output"
            throw .artifactUnavailable(
                name: name,
                reason: "'\(command)' for repository \(repo) exited with \(process.terminationStatus): \(last)")
        }
        return String(decoding: (outData ?? nil) ?? Data(), as: UTF8.self)
    }
}
