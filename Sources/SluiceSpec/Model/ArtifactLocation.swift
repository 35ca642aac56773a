/// `http` of an input artifact: a file downloaded from a URL before the node starts (Argo's `HTTPArtifact`).
package struct HTTPArtifact: Sendable, Decodable, Equatable {
    /// The URL to GET; may contain `{{...}}` placeholders.
    package var url: String
    /// Extra request headers (`headers: [{name, value}]`).
    package var headers: [HTTPHeader]?

    /// Creates an HTTP location.
    package init(url: String, headers: [HTTPHeader]? = nil) {
        self.url = url
        self.headers = headers
    }
}

/// One `headers` entry of an ``HTTPArtifact``.
package struct HTTPHeader: Sendable, Decodable, Equatable {
    package var name: String
    package var value: String

    /// Creates a header.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// `git` of an input artifact: a repository checked out before the node starts (Argo's `GitArtifact`).
///
/// Credentials (`usernameSecret`, `sshPrivateKeySecret`) are Kubernetes secrets and are not supported.
package struct GitArtifact: Sendable, Decodable, Equatable {
    /// The repository URL or local path given to `git clone`.
    package var repo: String
    /// The commit, tag or branch to check out; absent: the remote's default branch.
    package var revision: String?
    /// `--depth` of the clone; absent: full history.
    package var depth: Int?
    /// A branch to clone with `--single-branch`.
    package var branch: String?
    /// Whether to clone only `branch` (or the default branch).
    package var singleBranch: Bool?
    /// Extra refspecs to fetch after cloning (`fetch: [refs/meta/*]`).
    package var fetch: [String]?
    /// Whether to skip `git submodule update --init --recursive`.
    package var disableSubmodules: Bool?

    /// Creates a git location.
    package init(repo: String, revision: String? = nil, depth: Int? = nil) {
        self.repo = repo
        self.revision = revision
        self.depth = depth
    }
}

/// `archive` of an artifact: how Argo packs it when it saves it to an artifact repository.
///
/// Argo tars and gzips by default (`tar: {}`); `none: {}` stores a file as is. A local run stores raw bytes in the
/// content-addressed store in every case, so the strategy changes nothing a consumer sees; it is decoded so the
/// choice is visible and validated.
package struct ArchiveStrategy: Sendable, Decodable, Equatable {
    /// `none: {}`: no archive.
    package var none: Ignored?
    /// `tar: {compressionLevel: N}`: a (gzipped) tarball, Argo's default.
    package var tar: TarStrategy?
    /// `zip: {}`.
    package var zip: Ignored?
}

/// `archive.tar` of an artifact.
package struct TarStrategy: Sendable, Decodable, Equatable {
    /// gzip level; `0` means an uncompressed tarball in Argo.
    package var compressionLevel: Int?
}
