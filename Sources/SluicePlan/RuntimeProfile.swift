import Foundation
import SluiceSpec

/// A runtime profile (`runtimes/process.yaml`, `--runtime-profile FILE`): what stands in for an image's entrypoint
/// and command when a template gives no `command`.
package struct RuntimeProfile: Sendable, Equatable {
    /// Kubernetes' rules: `entrypoint` stands for the image's ENTRYPOINT, `cmd` for its CMD.
    package struct Image: Sendable, Equatable {
        package var entrypoint: [String]?
        package var cmd: [String]?

        package init(entrypoint: [String]?, cmd: [String]?) {
            self.entrypoint = entrypoint
            self.cmd = cmd
        }
    }

    package var runtime: String
    package var images: [String: Image]

    package init(runtime: String = "process", images: [String: Image] = [:]) {
        self.runtime = runtime
        self.images = images
    }

    /// Reads a profile file.
    package static func load(path: String) throws(EngineError) -> RuntimeProfile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .stateUnavailable(reason: "cannot read runtime profile '\(path)'")
        }
        return try parse(text, path: path)
    }

    /// Reads a profile's text (a file's, or the one recorded with a run); `path` names it in messages.
    package static func parse(_ text: String, path: String) throws(EngineError) -> RuntimeProfile {
        struct File: Decodable {
            var runtime: String?
            var images: [String: ImageEntry]?
        }
        struct ImageEntry: Decodable {
            var entrypoint: [String]?
            var cmd: [String]?
        }
        do {
            let file = try BoundedYAML.decode(File.self, from: text, file: path)
            var images: [String: Image] = [:]
            for (reference, entry) in file.images ?? [:] {
                images[reference] = Image(entrypoint: entry.entrypoint, cmd: entry.cmd)
            }
            return RuntimeProfile(runtime: file.runtime ?? "process", images: images)
        } catch {
            throw .stateUnavailable(reason: "runtime profile '\(path)' is not valid: \(error)")
        }
    }

    /// The image entry for `reference`, trying it as written, then with `:latest` added or removed.
    package func image(_ reference: String) -> Image? {
        if let found = images[reference] { return found }
        if !reference.contains(":") { return images[reference + ":latest"] }
        if reference.hasSuffix(":latest") { return images[String(reference.dropLast(7))] }
        return nil
    }

    /// The argv Kubernetes would run: `command` replaces ENTRYPOINT (and drops CMD), `args` replace CMD.
    package func argv(image: String?, command: [String]?, args: [String]?) throws(EngineError) -> [String] {
        if let command, !command.isEmpty { return command + (args ?? []) }
        guard let image, let entry = self.image(image) else {
            throw .imageNotMapped(image: image)
        }
        let argv = (entry.entrypoint ?? []) + (args ?? entry.cmd ?? [])
        guard !argv.isEmpty else {
            throw .imageNotMapped(image: image)
        }
        return argv
    }
}
