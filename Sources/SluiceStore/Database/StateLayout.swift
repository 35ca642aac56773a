/// Where a state directory keeps each run's files: `runs/<run name>/`, with a directory per node under `nodes/<node
/// id>/` holding the node's logs (made only when it printed) and what it staged or saved.
///
/// The engine writes there and the commands read there (`sluice logs -f` tails a running node's logs, which no
/// attempt names until the node ends), so the layout is written down once, here.
package enum StateLayout {
    /// The name of a node's standard output log in its directory.
    package static let standardOutputLog = "stdout.log"
    /// The name of a node's standard error log in its directory.
    package static let standardErrorLog = "stderr.log"

    /// The entry `name` at the top of `stateDirectory` (which may end with a slash): `sluice.db`, `artifacts`, ...
    package static func entry(_ name: String, in stateDirectory: String) -> String {
        stateDirectory.hasSuffix("/") ? stateDirectory + name : stateDirectory + "/" + name
    }

    /// The directory of the run named `runName`.
    package static func runDirectory(in stateDirectory: String, runName: String) -> String {
        stateDirectory + "/runs/" + runName
    }

    /// The directory of the node `nodeID` of the run whose directory is `runDirectory`.
    package static func nodeDirectory(in runDirectory: String, nodeID: String) -> String {
        runDirectory + "/nodes/" + nodeID
    }
}
