package import Foundation
import SluiceRuntimes
package import SluiceSpec
package import SluiceStore

/// Brings `http` and `git` input artifacts from outside the run into the artifact store, so they are digested,
/// verified by the gate and bound read-only like any other input.
///
/// Fetched bytes have no producer node: the consumer's lineage lists them as inputs without `producerNode`, and
/// the node's recorded input carries where they came from (`from`: the URL, or `git+REPO@COMMIT`), and the lineage
/// entry's `origin` the URL or repository (see ``originURI(_:)``) and the commit.
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

    /// A URL or repository as the lineage records it: any `user:password@` after `scheme://` removed, so that
    /// credentials never reach a signed envelope (query strings are kept).
    package static func originURI(_ location: String) -> String {
        guard let scheme = location.range(of: "://") else { return location }
        let rest = location[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return location }
        return String(location[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }

    // MARK: - HTTP

    /// Downloads `url` with GET (and `headers`) and stores the body as a file artifact named `name`.
    ///
    /// Uses `curl` on the host's PATH (following redirects, at most ``timeout`` seconds): FoundationNetworking's
    /// `URLSession` was tried first and its async request never completed inside the engine on Linux.
    /// - Returns: the stored reference.
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
        let staging = stagingDirectory + "/http-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        var arguments = [
            "--silent", "--show-error", "--location", "--proto", "=http,https", "--max-time", String(Int(Self.timeout)),
            "--output", staging, "--write-out", "%{http_code}",
        ]
        for header in headers { arguments += ["--header", "\(header.name): \(header.value)"] }
        arguments += ["--", url]
        let result = try await run("curl", arguments, in: nil, name: name)
        guard result.status == 0 else {
            throw .artifactUnavailable(name: name, reason: "GET \(url) failed: \(result.lastErrorLine)")
        }
        let status = Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        guard (200..<300).contains(status) else {
            throw .artifactUnavailable(name: name, reason: "GET \(url) answered HTTP \(status)")
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
    package func clone(_ git: GitArtifact, name: String) async throws(EngineError) -> (
        ArtifactReference, commit: String
    ) {
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
                try await runGit(
                    ["submodule", "update", "--init", "--recursive", "--quiet"], in: checkout, name: name,
                    repo: git.repo)
            }
        }
        let commit = try await runGit(["rev-parse", "HEAD"], in: checkout, name: name, repo: git.repo)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            try FileManager.default.removeItem(atPath: checkout + "/.git")
        } catch {
            throw .artifactUnavailable(
                name: name, reason: "cannot remove .git from the checkout of \(git.repo): \(error.localizedDescription)"
            )
        }
        let digest = try lineage.digest(ofDirectory: checkout)
        do {
            let stored = try store.put(directoryAt: checkout, digest: digest)
            return (ArtifactReference(name: name, kind: .directory, digest: digest, storedPath: stored), commit)
        } catch {
            throw .artifactUnavailable(name: name, reason: error.description)
        }
    }

    /// Runs `git ARGUMENTS` and returns its standard output, or throws naming the command and its last error line.
    @discardableResult
    private func runGit(_ arguments: [String], in directory: String?, name: String, repo: String)
        async throws(EngineError) -> String
    {
        let result = try await run("git", arguments, in: directory, name: name)
        guard result.status == 0 else {
            throw .artifactUnavailable(
                name: name,
                reason:
                    "'git \(arguments.joined(separator: " "))' for repository \(repo) exited with \(result.status): "
                    + result.lastErrorLine)
        }
        return result.standardOutput
    }

    /// What a tool printed and how it exited.
    /// Runs `tool` (looked up on the engine's PATH) without a terminal or credential prompt.
    private func run(_ tool: String, _ arguments: [String], in directory: String?, name: String)
        async throws(EngineError) -> HostCommand.Output
    {
        do {
            return try await HostCommand.run(
                tool, arguments, in: directory, environment: ["GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/false"])
        } catch {
            throw .artifactUnavailable(name: name, reason: error.description)
        }
    }
}
