/// The shape of Argo's documents as far as Sluice checks them: which fields exist, what kind of value each holds,
/// which are required, and which only tune Kubernetes objects.
///
/// The schema is walked over the ``YAMLValue`` tree before decoding, so every unknown or mistyped field is reported
/// with its position, not just the first one a decoder trips over.
package indirect enum FieldShape: Sendable {
    /// Any scalar (Argo's strings, `AnyString`, `IntOrString`).
    case scalar
    /// A scalar that must read as `true`/`false`.
    case bool
    /// A scalar that must read as an integer (or hold a `{{...}}` placeholder).
    case int
    /// A mapping checked against a named object shape.
    case object(String)
    /// A sequence of values of one shape.
    case list(FieldShape)
    /// A mapping from names to scalars (labels, annotations).
    case stringMap
    /// Accepted without checks (free-form or not yet checked).
    case any
    /// Kubernetes-only tuning: accepted and ignored, with one lint note.
    case kubernetesOnly
    /// A field Kubernetes acts on that Sluice does not: accepted and ignored, with one lint warning saying why.
    case ignored(reason: String)
    /// A mapping from names to scalars whose `honoured` keys are used; each other key gets a lint warning
    /// saying `reason`.
    case partialMap(honoured: Set<String>, reason: String)
    /// Needs Kubernetes objects or remote services: refused with a clear error.
    case unsupported(reason: String)
}

/// The fields of one kind of mapping.
package struct ObjectShape: Sendable {
    package var fields: [String: FieldShape]
    package var required: [String]

    package init(_ fields: [String: FieldShape], required: [String] = []) {
        self.fields = fields
        self.required = required
    }
}

/// Argo's document schema, by object name.
package enum ArgoSchema {
    /// The shape of the whole document.
    package static let document = "document"

    private static let kubernetesTemplateFields: [String: FieldShape] = [
        "metadata": .object("podMetadata"), "nodeSelector": .kubernetesOnly, "affinity": .kubernetesOnly,
        "tolerations": .kubernetesOnly, "serviceAccountName": .kubernetesOnly,
        "automountServiceAccountToken": .kubernetesOnly, "securityContext": .kubernetesOnly,
        "podSpecPatch": .kubernetesOnly, "priority": .kubernetesOnly, "priorityClassName": .kubernetesOnly,
        "schedulerName": .kubernetesOnly, "hostAliases": .kubernetesOnly, "executor": .kubernetesOnly,
        "metrics": .kubernetesOnly, "archiveLocation": .kubernetesOnly,
    ]

    private static let probeReason = "probes are not run; a client of a sidecar must retry until it answers"
    private static let readinessReason =
        "only a daemon's readiness probe is run (its dependents wait for it); a client of a sidecar must retry"
    private static let securityReason = "only runAsUser, runAsGroup and runAsNonRoot are applied (by podman and docker)"

    /// Kubernetes' `Container` fields as Argo's `container`, `script`, `sidecars` and `containerSet` use them;
    /// docs/container-fields.md lists what each does under each runtime.
    private static let containerFields: [String: FieldShape] = [
        "name": .scalar, "image": .scalar, "command": .list(.scalar), "args": .list(.scalar),
        "workingDir": .scalar, "env": .list(.object("envVar")), "imagePullPolicy": .scalar,
        "envFrom": .unsupported(reason: "it reads Kubernetes ConfigMaps or Secrets"),
        "resources": .object("resources"), "volumeMounts": .list(.object("volumeMount")),
        "securityContext": .object("containerSecurityContext"), "dependencies": .list(.scalar),
        "mirrorVolumeMounts": .bool,
        "ports": .ignored(reason: "nothing is published on the host; a pod's containers reach each other on localhost"),
        "readinessProbe": .object("probe"), "livenessProbe": .ignored(reason: probeReason),
        "startupProbe": .ignored(reason: probeReason),
        "lifecycle": .ignored(reason: "postStart and preStop hooks are not run"),
        "restartPolicy": .ignored(reason: "a sidecar is started once and stopped when the main container ends"),
        "stdin": .kubernetesOnly, "stdinOnce": .kubernetesOnly, "tty": .kubernetesOnly,
        "terminationMessagePath": .kubernetesOnly, "terminationMessagePolicy": .kubernetesOnly,
        "resizePolicy": .kubernetesOnly,
        "volumeDevices": .unsupported(reason: "raw block devices come from Kubernetes PersistentVolumeClaims"),
    ]

    private static let stepFields: [String: FieldShape] = [
        "name": .scalar, "template": .scalar, "templateRef": .object("templateRef"),
        "inline": .object("inlineTemplate"),
        "arguments": .object("arguments"), "when": .scalar, "continueOn": .object("continueOn"),
        "withItems": .list(.any), "withParam": .scalar, "withSequence": .object("sequence"), "onExit": .scalar,
        "hooks": .any,
    ]

    /// Every object shape, by name.
    package static let objects: [String: ObjectShape] = [
        "document": ObjectShape(
            [
                "apiVersion": .scalar, "kind": .scalar, "metadata": .object("metadata"),
                "spec": .object("workflowSpec"), "status": .any,
            ],
            required: ["apiVersion", "kind", "metadata", "spec"]
        ),
        "metadata": ObjectShape([
            "name": .scalar, "generateName": .scalar, "namespace": .scalar, "labels": .stringMap,
            "annotations": .stringMap, "uid": .kubernetesOnly, "resourceVersion": .kubernetesOnly,
            "creationTimestamp": .kubernetesOnly, "generation": .kubernetesOnly, "ownerReferences": .kubernetesOnly,
            "finalizers": .kubernetesOnly, "managedFields": .kubernetesOnly,
        ]),
        "workflowSpec": ObjectShape([
            "entrypoint": .scalar, "arguments": .object("arguments"), "templates": .list(.object("template")),
            "onExit": .scalar, "parallelism": .int, "activeDeadlineSeconds": .int,
            "workflowTemplateRef": .object("templateRef"), "templateDefaults": .any, "governance": .any,
            "hooks": .any, "retryStrategy": .any, "synchronization": .any, "suspend": .bool, "shutdown": .scalar,
            "workflowMetadata": .any, "volumes": .list(.object("volume")),
            "volumeClaimTemplates": .unsupported(reason: "it creates Kubernetes PersistentVolumeClaims"),
            "ttlStrategy": .kubernetesOnly, "ttlSecondsAfterFinished": .kubernetesOnly, "podGC": .kubernetesOnly,
            "serviceAccountName": .kubernetesOnly, "automountServiceAccountToken": .kubernetesOnly,
            "executor": .kubernetesOnly, "nodeSelector": .kubernetesOnly, "tolerations": .kubernetesOnly,
            "affinity": .kubernetesOnly, "imagePullSecrets": .kubernetesOnly, "hostNetwork": .kubernetesOnly,
            "dnsPolicy": .kubernetesOnly, "dnsConfig": .kubernetesOnly, "securityContext": .kubernetesOnly,
            "podSpecPatch": .kubernetesOnly, "podPriority": .kubernetesOnly, "podPriorityClassName": .kubernetesOnly,
            "priority": .kubernetesOnly, "schedulerName": .kubernetesOnly, "podMetadata": .object("podMetadata"),
            "metrics": .kubernetesOnly, "archiveLogs": .kubernetesOnly, "artifactRepositoryRef": .kubernetesOnly,
            "artifactGC": .kubernetesOnly, "volumeClaimGC": .kubernetesOnly, "hostAliases": .kubernetesOnly,
            "podDisruptionBudget": .kubernetesOnly, "podResources": .kubernetesOnly,
            "runtimeClassName": .kubernetesOnly,
            "hostUsers": .kubernetesOnly, "preemptionPolicy": .kubernetesOnly,
        ]),
        "template": ObjectShape(
            kubernetesTemplateFields.merging(
                [
                    "name": .scalar, "inputs": .object("inputs"), "outputs": .object("outputs"),
                    "container": .object("container"), "script": .object("script"),
                    "steps": .list(.list(.object("step"))), "dag": .object("dag"), "suspend": .any,
                    "resource": .unsupported(reason: "resource templates create Kubernetes objects"),
                    "data": .unsupported(
                        reason: "data templates read Kubernetes-side sources (S3 listings) a local run does not reach"),
                    "http": .unsupported(
                        reason: "http templates run in Argo's agent pod; call the URL from a container or script"),
                    "containerSet": .object("containerSet"),
                    "plugin": .unsupported(reason: "executor plugins run inside a Kubernetes cluster"),
                    "activeDeadlineSeconds": .scalar, "timeout": .scalar, "parallelism": .int,
                    "failFast": .bool, "daemon": .bool, "retryStrategy": .any, "memoize": .any,
                    "synchronization": .any, "sidecars": .list(.object("container")),
                    "initContainers": .list(.object("container")),
                    "volumes": .list(.object("volume")), "annotations": .kubernetesOnly,
                ],
                uniquingKeysWith: { _, new in new }
            ),
            required: ["name"]
        ),
        "inlineTemplate": ObjectShape(
            kubernetesTemplateFields.merging(
                [
                    "name": .scalar, "inputs": .object("inputs"), "outputs": .object("outputs"),
                    "container": .object("container"), "script": .object("script"),
                    "steps": .list(.list(.object("step"))), "dag": .object("dag"), "suspend": .any,
                    "activeDeadlineSeconds": .scalar, "timeout": .scalar, "retryStrategy": .any,
                    "memoize": .any, "synchronization": .any, "sidecars": .list(.object("container")),
                    "initContainers": .list(.object("container")), "volumes": .list(.object("volume")),
                    "parallelism": .int, "failFast": .bool, "daemon": .bool,
                ],
                uniquingKeysWith: { _, new in new })),
        "container": ObjectShape(containerFields),
        "script": ObjectShape(containerFields.merging(["source": .scalar], uniquingKeysWith: { _, new in new })),
        "probe": ObjectShape([
            "httpGet": .object("httpGetAction"), "tcpSocket": .object("tcpSocketAction"), "exec": .object("execAction"),
            "initialDelaySeconds": .int, "periodSeconds": .int, "timeoutSeconds": .int, "failureThreshold": .int,
            "successThreshold": .int, "terminationGracePeriodSeconds": .kubernetesOnly,
            "grpc": .unsupported(reason: "gRPC health checks are not implemented; use tcpSocket or exec"),
        ]),
        "httpGetAction": ObjectShape(
            ["path": .scalar, "port": .scalar, "host": .scalar, "scheme": .scalar, "httpHeaders": .any],
            required: ["port"]),
        "tcpSocketAction": ObjectShape(["port": .scalar, "host": .scalar], required: ["port"]),
        "execAction": ObjectShape(["command": .list(.scalar)], required: ["command"]),
        "envVar": ObjectShape(
            [
                "name": .scalar, "value": .scalar,
                "valueFrom": .unsupported(
                    reason: "it reads Kubernetes Secrets, ConfigMaps or pod fields; give 'value'"),
            ],
            required: ["name"]),
        "podMetadata": ObjectShape(["annotations": .stringMap, "labels": .kubernetesOnly]),
        "resources": ObjectShape([
            "limits": .partialMap(
                honoured: ["cpu", "memory"],
                reason: "only the cpu and memory limits are applied (by podman and docker)"),
            "requests": .kubernetesOnly, "claims": .kubernetesOnly,
        ]),
        "containerSecurityContext": ObjectShape([
            "runAsUser": .int, "runAsGroup": .int, "runAsNonRoot": .bool,
            "privileged": .ignored(reason: securityReason), "capabilities": .ignored(reason: securityReason),
            "allowPrivilegeEscalation": .ignored(reason: securityReason),
            "readOnlyRootFilesystem": .ignored(reason: securityReason),
            "seccompProfile": .ignored(reason: securityReason), "seLinuxOptions": .ignored(reason: securityReason),
            "appArmorProfile": .ignored(reason: securityReason), "procMount": .ignored(reason: securityReason),
            "windowsOptions": .kubernetesOnly,
        ]),
        "inputs": ObjectShape(["parameters": .list(.object("parameter")), "artifacts": .list(.object("artifact"))]),
        "outputs": ObjectShape([
            "parameters": .list(.object("parameter")), "artifacts": .list(.object("artifact")),
            "result": .scalar, "exitCode": .scalar,
        ]),
        "arguments": ObjectShape([
            "parameters": .list(.object("parameter")), "artifacts": .list(.object("artifact")),
        ]),
        "parameter": ObjectShape(
            [
                "name": .scalar, "value": .scalar, "default": .scalar, "enum": .list(.scalar),
                "valueFrom": .object("valueFrom"), "globalName": .scalar, "description": .scalar,
            ],
            required: ["name"]
        ),
        "valueFrom": ObjectShape([
            "path": .scalar, "default": .scalar, "expression": .scalar, "parameter": .scalar, "jsonPath": .scalar,
            "jqFilter": .scalar, "event": .scalar, "supplied": .any,
            "configMapKeyRef": .unsupported(reason: "it reads a Kubernetes ConfigMap"),
        ]),
        "artifact": ObjectShape(
            [
                "name": .scalar, "path": .scalar, "from": .scalar, "fromExpression": .scalar,
                "raw": .object("rawArtifact"), "optional": .bool, "subPath": .scalar, "mode": .int,
                "globalName": .scalar, "archive": .any, "archiveLogs": .kubernetesOnly, "recurseMode": .bool,
                "http": .any, "git": .any, "deleted": .bool, "artifactGC": .kubernetesOnly,
                "s3": .unsupported(reason: "remote object stores are not reachable from a local run yet"),
                "gcs": .unsupported(reason: "remote object stores are not reachable from a local run yet"),
                "oss": .unsupported(reason: "remote object stores are not reachable from a local run yet"),
                "hdfs": .unsupported(reason: "remote object stores are not reachable from a local run yet"),
                "azure": .unsupported(reason: "remote object stores are not reachable from a local run yet"),
                "artifactory": .unsupported(reason: "remote object stores are not reachable from a local run yet"),
                "huggingface": .unsupported(reason: "remote object stores are not reachable from a local run yet"),
            ],
            required: ["name"]
        ),
        "rawArtifact": ObjectShape(["data": .scalar], required: ["data"]),
        "step": ObjectShape(stepFields, required: ["name"]),
        "dag": ObjectShape(
            ["tasks": .list(.object("task")), "target": .scalar, "failFast": .bool], required: ["tasks"]
        ),
        "task": ObjectShape(
            stepFields.merging(["dependencies": .list(.scalar), "depends": .scalar], uniquingKeysWith: { _, n in n }),
            required: ["name"]
        ),
        "templateRef": ObjectShape(
            ["name": .scalar, "template": .scalar, "clusterScope": .bool], required: ["name"]
        ),
        "continueOn": ObjectShape(["failed": .bool, "error": .bool]),
        "containerSet": ObjectShape(
            [
                "containers": .list(.object("container")), "volumeMounts": .list(.object("volumeMount")),
                "retryStrategy": .object("containerSetRetryStrategy"),
            ],
            required: ["containers"]
        ),
        "containerSetRetryStrategy": ObjectShape(["retries": .scalar, "duration": .scalar], required: ["retries"]),
        "volumeMount": ObjectShape(
            [
                "name": .scalar, "mountPath": .scalar, "readOnly": .bool, "subPath": .scalar,
                "mountPropagation": .kubernetesOnly,
                "subPathExpr": .unsupported(reason: "it expands Kubernetes pod variables"),
                "recursiveReadOnly": .kubernetesOnly,
            ],
            required: ["name", "mountPath"]
        ),
        "volume": ObjectShape(
            [
                "name": .scalar, "emptyDir": .any,
                "persistentVolumeClaim": .unsupported(reason: "it mounts a Kubernetes PersistentVolumeClaim"),
                "configMap": .unsupported(reason: "it mounts a Kubernetes ConfigMap"),
                "secret": .unsupported(reason: "it mounts a Kubernetes Secret"),
                "hostPath": .unsupported(reason: "it mounts a directory of a Kubernetes node; use an input artifact"),
                "downwardAPI": .unsupported(reason: "it exposes Kubernetes pod metadata"),
                "projected": .unsupported(reason: "it projects Kubernetes objects into the pod"),
                "ephemeral": .unsupported(reason: "it creates a Kubernetes PersistentVolumeClaim"),
                "csi": .unsupported(reason: "it needs a Kubernetes CSI driver"),
                "nfs": .unsupported(reason: "remote volumes are not mounted by a local run"),
                "image": .unsupported(reason: "image volumes are not mounted by a local run"),
            ],
            required: ["name"]
        ),
        "sequence": ObjectShape(["count": .scalar, "start": .scalar, "end": .scalar, "format": .scalar]),
    ]
}
