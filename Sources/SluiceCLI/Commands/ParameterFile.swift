import ArgumentParser
import Foundation
import SluiceExpressions
import SluiceSpec

/// `sluice run -f FILE`: workflow arguments from a YAML or JSON map of names to values, as
/// `argo submit --parameter-file` reads them.
///
/// Scalars keep their text (`5`, `true`); a list or map value becomes its JSON text, which is how Argo passes
/// structured parameters. `-p NAME=VALUE` given as well wins over the file.
enum ParameterFile {
    /// Why a parameter file cannot be used; `description` names the file.
    struct Problem: Error, CustomStringConvertible {
        /// The one line the CLI prints, `error: ...` or `FILE:LINE:COLUMN: error: ...`.
        let description: String

        init(path: String, reason: String) {
            description = "error: parameter file '\(path)' \(reason)"
        }

        /// A limit of the YAML budget crossed, at its position in the file.
        init(_ error: SpecError) {
            description = error.description
        }
    }

    /// The file's parameters, sorted by name.
    ///
    /// - Throws: ``Problem`` when the file cannot be read, is not YAML/JSON, or is not a map.
    static func load(path: String) throws(Problem) -> [ParameterValue] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Problem(path: path, reason: "cannot be read: \(error.localizedDescription)")
        }
        let document: Any?
        do {
            document = try BoundedYAML.load(text, file: path)
        } catch let error as SpecError {
            throw Problem(error)
        } catch {
            throw Problem(path: path, reason: "is not valid YAML or JSON: \(error)")
        }
        if document == nil { return [] }
        guard let map = document as? [String: Any] else {
            throw Problem(path: path, reason: "must map parameter names to values (NAME: VALUE)")
        }
        var parameters: [ParameterValue] = []
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            parameters.append(ParameterValue(name: name, value: try Self.text(of: value, name: name, path: path)))
        }
        return parameters
    }

    private static func text(of value: Any, name: String, path: String) throws(Problem) -> String {
        switch value {
        case let string as String:
            return string
        case is [Any], is [String: Any]:
            do {
                let data = try JSONSerialization.data(
                    withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
                return String(decoding: data, as: UTF8.self)
            } catch {
                throw Problem(path: path, reason: "has a value for '\(name)' that cannot be written as JSON")
            }
        case is NSNull:
            return ""
        default:
            return "\(value)"
        }
    }

    /// `-f FILE` and `-p NAME=VALUE` as overrides: the file first, `-p` after it, so `-p` wins.
    ///
    /// - Throws: ``CommandFailure`` (usage) with one line for an unreadable file or an assignment without a name.
    static func overrides(_ assignments: [String], file: String?) throws -> [ParameterValue] {
        var overrides: [ParameterValue] = []
        if let file {
            do {
                overrides = try load(path: file)
            } catch {
                throw CommandFailure(ExitStatus.usage, error.description)
            }
        }
        for assignment in assignments {
            guard let parameter = ParameterValue(assignment: assignment) else {
                throw CommandFailure(ExitStatus.usage, "error: parameter '\(assignment)' must be written NAME=VALUE")
            }
            overrides.append(parameter)
        }
        return overrides
    }
}

/// `-p NAME=VALUE` and `-f FILE`: the workflow arguments of `sluice run`, `kube render` and `kube attest`.
struct WorkflowArgumentOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("parameter")], help: "Workflow argument NAME=VALUE (repeatable).")
    var parameters: [String] = []

    @Option(
        name: [.customShort("f"), .customLong("parameter-file")],
        help:
            "A YAML or JSON file mapping workflow argument names to values (like argo submit --parameter-file); -p wins."
    )
    var parameterFile: String?

    /// The file's arguments, then `-p`'s (``ParameterFile/overrides(_:file:)``).
    func overrides() throws -> [ParameterValue] {
        try ParameterFile.overrides(parameters, file: parameterFile)
    }
}
