import Foundation
import SluiceRuntimes
import SluiceSpec

extension WorkflowExecutor {
    /// The host directory under a pod's directory that holds its `emptyDir` volumes (removed with the pod's root).
    static func volumeDirectory(podDirectory: String, name: String) -> String {
        podDirectory + "/root/.sluice-volumes/" + name
    }

    /// The binds that make a container's `volumeMounts` visible: one host directory per `emptyDir` volume of the
    /// pod, shared by every container of the pod (sidecars, a containerSet) that mounts it.
    ///
    /// Volumes are looked up in the template's `volumes`, then in `spec.volumes`; each pod gets its own directory,
    /// as Kubernetes gives each pod its own `emptyDir`. The directory is created here.
    /// - Throws: ``EngineError/volumeUnavailable(name:template:reason:)`` for an undeclared or non-`emptyDir`
    ///   volume, a bad `subPath` or a directory that cannot be created.
    func volumeBinds(
        _ mounts: [VolumeMount], of template: Template, podDirectory: String, renderer: inout Renderer
    ) throws(EngineError) -> (writable: [SandboxLayout.Bind], readOnly: [SandboxLayout.Bind]) {
        var writable: [SandboxLayout.Bind] = []
        var readOnly: [SandboxLayout.Bind] = []
        for mount in mounts {
            let fail = { (reason: String) in
                EngineError.volumeUnavailable(name: mount.name, template: template.name, reason: reason)
            }
            guard
                let volume = template.volumes?.first(where: { $0.name == mount.name })
                    ?? spec.volumes?.first(where: { $0.name == mount.name })
            else {
                throw fail("neither the template's nor the workflow's 'volumes' declare it")
            }
            guard volume.emptyDir != nil else {
                throw fail("only 'emptyDir' volumes can be mounted by a local run")
            }
            let mountPath = try renderer.render(mount.mountPath, context: "mountPath of volume '\(mount.name)'")
            guard mountPath.hasPrefix("/"), !mountPath.split(separator: "/").contains("..") else {
                throw fail("mountPath '\(mountPath)' is not an absolute path without '..'")
            }
            guard !volume.name.isEmpty, volume.name != ".", volume.name != "..", !volume.name.contains("/"),
                !volume.name.contains("\0")
            else {
                throw fail("the volume name is not a plain name")
            }
            let volumeDirectory = Self.volumeDirectory(podDirectory: podDirectory, name: volume.name)
            do {
                try Self.makeNodeDirectory(podDirectory)
                try FileManager.default.createDirectory(atPath: volumeDirectory, withIntermediateDirectories: true)
            } catch {
                throw fail("cannot create '\(volumeDirectory)': \(error.localizedDescription)")
            }
            var hostPath = volumeDirectory
            if let subPath = mount.subPath, !subPath.isEmpty {
                guard !subPath.hasPrefix("/"), !subPath.split(separator: "/").contains("..") else {
                    throw fail("subPath '\(subPath)' must be a relative path without '..'")
                }
                // Another container of the pod may have written the volume: never follow a link it left there.
                do {
                    try LinkFreePath.makeDirectories(subPath, below: volumeDirectory)
                } catch {
                    throw fail("subPath: \(error.description)")
                }
                hostPath += "/" + subPath
            }
            let bind = SandboxLayout.Bind(hostPath: hostPath, sandboxPath: mountPath)
            if mount.readOnly == true { readOnly.append(bind) } else { writable.append(bind) }
        }
        return (writable, readOnly)
    }
}
