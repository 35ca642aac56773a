import SluiceSpec
import Testing

@Suite("Declared paths with '..' segments are reported with their position")
struct DeclaredPathTests {
    @Test("output, input, mount and working-directory paths with '..' are lint errors at the value")
    func parentSegments() {
        let yaml = """
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: escape
            spec:
              entrypoint: main
              templates:
                - name: main
                  inputs:
                    artifacts:
                      - {name: in, path: /tmp/../in, subPath: a/../../b}
                  container:
                    image: alpine
                    command: [sh, -c, "true"]
                    workingDir: /work/../..
                    volumeMounts:
                      - {name: v, mountPath: /mnt/../etc}
                  volumes:
                    - {name: v, emptyDir: {}}
                  outputs:
                    parameters:
                      - name: key
                        valueFrom: {path: /tmp/../state/keys/signing-key.pem}
                    artifacts:
                      - {name: db, path: "/tmp/o/../../sluice.db"}
                      - {name: fine, path: /tmp/o/..data/x}
            """
        let suffix =
            "has a '..' segment: declared paths must stay inside the node's own directories (write it without '..')"
        #expect(
            problems(in: yaml) == [
                "bad.yaml:23:31: error: path '/tmp/../state/keys/signing-key.pem' \(suffix) (at spec.templates[0].outputs.parameters[0].valueFrom.path)",
                "bad.yaml:25:30: error: path '/tmp/o/../../sluice.db' \(suffix) (at spec.templates[0].outputs.artifacts[0].path)",
                "bad.yaml:11:30: error: path '/tmp/../in' \(suffix) (at spec.templates[0].inputs.artifacts[0].path)",
                "bad.yaml:11:51: error: path 'a/../../b' \(suffix) (at spec.templates[0].inputs.artifacts[0].subPath)",
                "bad.yaml:15:21: error: path '/work/../..' \(suffix) (at spec.templates[0].container.workingDir)",
                "bad.yaml:17:34: error: path '/mnt/../etc' \(suffix) (at spec.templates[0].container.volumeMounts[0].mountPath)",
            ])
    }
}
