package import SluiceSpec

/// Kubernetes' `$(NAME)` expansion, as the kubelet applies it to a container's `env` values, `command` and `args`.
///
/// `$(NAME)` becomes the value of the container's env variable `NAME` when it is defined (earlier entries only, for
/// env values); `$$` is an escaped `$`; any other reference stays as written.
package enum KubernetesExpansion {
    /// A container's env with each value expanded against the entries before it, in declaration order.
    package struct Environment: Sendable, Equatable {
        /// Name to expanded value; a later entry with the same name wins.
        package var values: [String: String] = [:]
    }

    /// Renders each env entry with `render` (Argo's `{{...}}` first), then expands `$(NAME)` from earlier entries.
    package static func environment<E: Error>(
        _ variables: [EnvVar], render: (EnvVar) throws(E) -> String
    ) throws(E) -> Environment {
        var environment = Environment()
        for variable in variables {
            environment.values[variable.name] = expand(try render(variable), in: environment)
        }
        return environment
    }

    /// `text` with `$(NAME)` references to `environment` replaced and `$$` unescaped.
    package static func expand(_ text: String, in environment: Environment) -> String {
        guard text.contains("$") else { return text }
        let characters = Array(text)
        var output = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "$", index + 1 < characters.count else {
                output.append(character)
                index += 1
                continue
            }
            let next = characters[index + 1]
            if next == "$" {
                output.append("$")
                index += 2
            } else if next == "(", let close = characters[(index + 2)...].firstIndex(of: ")") {
                let name = String(characters[(index + 2)..<close])
                if let value = environment.values[name] {
                    output += value
                } else {
                    output += "$(" + name + ")"
                }
                index = close + 1
            } else {
                output.append(character)
                index += 1
            }
        }
        return output
    }
}
