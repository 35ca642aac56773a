import ArgumentParser
import Foundation
import SluiceGovernance

/// `sluice digest PATH`: the digest Sluice records for a file (`sha256:<hex>`) or a directory (`dirHash:<hex>`).
///
/// It is the value the gate recomputes before a node consumes the artifact, so it can be compared with an
/// envelope's subject by hand. Symbolic links, FIFOs and devices are refused, as they are for artifacts.
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the digest Sluice records for a file (sha256:<hex>) or a directory (dirHash:<hex>).")

    @Argument(help: "A regular file or a directory.")
    var path: String

    func run() throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        do {
            if exists && isDirectory.boolValue {
                print("dirHash:" + (try Digest.directoryHash(at: path)).hex)
            } else {
                print(try Digest.sha256(fileAt: path).description)
            }
        } catch {
            throw CommandFailure(ExitStatus.failed, "error: \(error.description)")
        }
    }
}
