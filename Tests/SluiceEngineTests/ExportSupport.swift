import Foundation
import SluiceEngine
import SluiceGovernance
import SluiceStore
import SluiceTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Shared workflow and helpers of the export, revocation and conformance tests.
enum ExportFixtures {
    /// produce (a file, a directory and a parameter) → consume (the file and the parameter; writes its own file).
    static func workflow(name: String) -> String {
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
        spec:
          entrypoint: main
          templates:
            - name: main
              dag:
                tasks:
                  - name: produce
                    template: produce
                  - name: consume
                    template: consume
                    depends: produce
                    arguments:
                      artifacts:
                        - {name: data, from: "{{tasks.produce.outputs.artifacts.data}}"}
                      parameters:
                        - {name: note, value: "{{tasks.produce.outputs.parameters.note}}"}
            - name: produce
              container:
                image: alpine
                command: [sh, -c, "printf 'genuine' > /tmp/data.txt; mkdir -p /tmp/tree; printf 'a' > /tmp/tree/a.txt; printf 'n1' > /tmp/note"]
              outputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
                  - {name: tree, path: /tmp/tree}
                parameters:
                  - name: note
                    valueFrom: {path: /tmp/note}
            - name: consume
              inputs:
                artifacts:
                  - {name: data, path: /tmp/data.txt}
                parameters:
                  - name: note
              container:
                image: alpine
                command: [sh, -c, "cat /tmp/data.txt > /tmp/copy.txt; printf '{{inputs.parameters.note}}' >> /tmp/copy.txt"]
              outputs:
                artifacts:
                  - {name: copy, path: /tmp/copy.txt}
        """
    }

    /// The run's stored submission attestation.
    static func submission(of run: RecordedRun) throws -> AttestationRecord {
        try #require(try run.store.attestations(runID: run.run.id).first { $0.kind == .submission })
    }

    /// Flips the lowest bit of the byte in the middle of a file (making it writable first).
    static func flipByte(in path: String) throws {
        _ = chmod(path, 0o644)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try #require(!bytes.isEmpty, "cannot flip a byte of empty file \(path)")
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Copies a directory tree (bundle copies are writable).
    static func copyTree(_ source: String, to destination: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: destination)
    }

    /// Every regular file below `root`, relative and sorted.
    static func files(in root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var out: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                out.append(relative)
            }
        }
        return out.sorted()
    }
}
