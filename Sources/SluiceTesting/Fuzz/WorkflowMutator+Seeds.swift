extension WorkflowMutator {
    /// Small real workflows that run in well under a second each: the material the mutations damage.
    static let seeds: [String] = [
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: fuzz-steps-
        spec:
          entrypoint: main
          arguments:
            parameters:
              - name: count
                value: "3"
          templates:
            - name: main
              steps:
                - - name: greet
                    template: echo
                    arguments:
                      parameters: [{name: text, value: "hello"}]
                - - name: loop
                    template: echo
                    withSequence: {count: "{{workflow.parameters.count}}"}
                    arguments:
                      parameters: [{name: text, value: "{{item}}"}]
                    when: "{{steps.greet.outputs.result}} == hello && (1 < 2)"
            - name: echo
              retryStrategy: {limit: 2, backoff: {duration: 1s, factor: 2}}
              timeout: 30s
              inputs:
                parameters: [{name: text}]
              container:
                image: alpine
                command: [echo, "{{inputs.parameters.text}}"]
        """,
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: fuzz-dag
        spec:
          entrypoint: main
          parallelism: 2
          templates:
            - name: main
              dag:
                tasks:
                  - name: a
                    template: produce
                  - name: b
                    template: consume
                    depends: "a.Succeeded || (a.Failed && !a.Skipped)"
                    arguments:
                      parameters: [{name: v, value: "{{=asInt(tasks.a.outputs.parameters.n) * 2}}"}]
                  - name: c
                    template: consume
                    dependencies: [a]
                    withItems: [1, two, {k: v}]
                    arguments:
                      parameters: [{name: v, value: "{{item}}"}]
            - name: produce
              activeDeadlineSeconds: 60
              container:
                image: alpine
                command: [sh, -c, "echo 21 > /tmp/n"]
              outputs:
                parameters:
                  - name: n
                    valueFrom: {path: /tmp/n}
            - name: consume
              inputs:
                parameters: [{name: v}]
              script:
                image: alpine
                command: [sh]
                source: |
                  echo "got {{inputs.parameters.v}}"
        """,
        """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: fuzz-misc-
        spec:
          entrypoint: main
          templates:
            - name: main
              parallelism: 0
              steps:
                - - name: pause
                    template: pause
                - - name: fan
                    template: say
                    withParam: '["x", "y"]'
                    arguments:
                      parameters: [{name: word, value: "{{item}}"}]
            - name: pause
              suspend: {duration: "0"}
            - name: say
              inputs:
                parameters:
                  - name: word
                    enum: [x, y]
              container:
                image: alpine
                command: [sh, -c, "echo {{inputs.parameters.word}}"]
        """,
    ]
}
