/// Paths a template declares (where outputs are read, inputs placed, volumes mounted, commands started) must be
/// plain: a `..` segment would let a workflow steer what the engine reads or binds away from the node's own files.
enum DeclaredPaths {
    /// One error per declared path of `template` (at `path` in `tree`) that holds a `..` segment.
    static func problems(in template: Template, at path: SpecPath, tree: YAMLValue) -> [SpecError] {
        var found: [(value: String, path: SpecPath)] = []
        for (index, parameter) in (template.outputs?.parameters ?? []).enumerated() {
            if let value = parameter.valueFrom?.path {
                found.append((value, path.key("outputs").key("parameters").index(index).key("valueFrom").key("path")))
            }
        }
        for (section, artifacts) in [("outputs", template.outputs?.artifacts), ("inputs", template.inputs?.artifacts)] {
            for (index, artifact) in (artifacts ?? []).enumerated() {
                let artifactPath = path.key(section).key("artifacts").index(index)
                if let value = artifact.path { found.append((value, artifactPath.key("path"))) }
                if let value = artifact.subPath { found.append((value, artifactPath.key("subPath"))) }
            }
        }
        var containers: [(Container, SpecPath)] = []
        if let container = template.container { containers.append((container, path.key("container"))) }
        for (key, list) in [("sidecars", template.sidecars), ("initContainers", template.initContainers)] {
            for (index, container) in (list ?? []).enumerated() {
                containers.append((container, path.key(key).index(index)))
            }
        }
        for (index, container) in (template.containerSet?.containers ?? []).enumerated() {
            containers.append((container, path.key("containerSet").key("containers").index(index)))
        }
        for (container, containerPath) in containers {
            found += mountPaths(container.volumeMounts, workingDir: container.workingDir, at: containerPath)
        }
        if let script = template.script {
            found += mountPaths(script.volumeMounts, workingDir: script.workingDir, at: path.key("script"))
        }
        return found.filter { hasParentSegment($0.value) }.map { value, valuePath in
            .invalidValue(
                message: "path '\(value)' has a '..' segment: declared paths must stay inside the node's own "
                    + "directories (write it without '..')",
                at: tree.location(of: valuePath, preferKey: false), path: valuePath)
        }
    }

    /// Whether `value` has a path component that is exactly `..`.
    static func hasParentSegment(_ value: String) -> Bool {
        value.split(separator: "/", omittingEmptySubsequences: true).contains("..")
    }

    private static func mountPaths(_ mounts: [VolumeMount]?, workingDir: String?, at path: SpecPath)
        -> [(value: String, path: SpecPath)]
    {
        var found: [(value: String, path: SpecPath)] = []
        if let workingDir { found.append((workingDir, path.key("workingDir"))) }
        for (index, mount) in (mounts ?? []).enumerated() {
            found.append((mount.mountPath, path.key("volumeMounts").index(index).key("mountPath")))
            if let subPath = mount.subPath {
                found.append((subPath, path.key("volumeMounts").index(index).key("subPath")))
            }
        }
        return found
    }
}
