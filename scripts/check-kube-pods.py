#!/usr/bin/env python3
"""Validates the pods a rendered Argo Workflow makes as Kubernetes objects (kubernetes-validate, strict).

    scripts/check-kube-pods.py FILE.yaml...

For every template that runs a container (`container`, `script`), builds the Pod Argo's controller would create
from it (workflowpod.go, less Argo's own executor containers): the main container named `main` (a script's `source`
left out: Argo stages it as a file), its `initContainers` and `sidecars` (Argo's `mirrorVolumeMounts` left out), the
template's and the workflow's volumes, and the pod-level fields a template or the workflow sets (node selector,
affinity, tolerations, security context, service account, host aliases, priority class, scheduler). Each Pod is
validated against Kubernetes' JSON schema made strict (no field Kubernetes does not know). Prints one line per
file, `FILE: N pods valid` or `FILE: invalid: template T: message` (every error), and exits 1 when any is invalid.
Run it with the venv of scripts/setup-python-tools.sh.
"""
import sys

import kubernetes_validate
import yaml

import file_checks

KUBERNETES_VERSION = "1.37.0"
# Argo's fields on containers that Kubernetes' Container does not have.
ARGO_CONTAINER_FIELDS = {"source", "mirrorVolumeMounts"}
# Template (else workflow spec) fields Argo copies into the pod spec under the same name.
POD_FIELDS = [
    "nodeSelector", "affinity", "tolerations", "securityContext", "serviceAccountName", "hostAliases",
    "priorityClassName", "schedulerName", "automountServiceAccountToken", "imagePullSecrets", "dnsPolicy",
    "dnsConfig", "hostNetwork",
]


def container(value, name=None):
    """A Kubernetes container from an Argo container-like object."""
    result = {key: field for key, field in value.items() if key not in ARGO_CONTAINER_FIELDS}
    if name is not None:
        result["name"] = name
    return result


def pod(workflow, template):
    """The Pod Argo would create for `template` of `workflow`."""
    spec = workflow.get("spec", {})
    main = template.get("container", template.get("script"))
    pod_spec = {"restartPolicy": "Never", "containers": [container(main, "main")]}
    pod_spec["containers"] += [container(sidecar) for sidecar in template.get("sidecars", [])]
    if template.get("initContainers"):
        pod_spec["initContainers"] = [container(init) for init in template["initContainers"]]
    volumes = list(spec.get("volumes", [])) + list(template.get("volumes", []))
    if volumes:
        pod_spec["volumes"] = volumes
    for field in POD_FIELDS:
        value = template.get(field, spec.get(field))
        if value is not None:
            pod_spec[field] = value
    metadata = {"name": f"{workflow.get('metadata', {}).get('name', 'workflow')}-{template['name']}"}
    for field in ("labels", "annotations"):
        if template.get("metadata", {}).get(field):
            metadata[field] = template["metadata"][field]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": pod_spec}


def templates(workflow):
    """Every template of `workflow`, inline ones (a DAG task's or step's `inline`) included."""
    found = []

    def visit(template):
        found.append(template)
        for task in template.get("dag", {}).get("tasks", []):
            if "inline" in task:
                visit(dict(task["inline"], name=task["name"]))
        for group in template.get("steps", []) or []:
            for step in group or []:
                if "inline" in step:
                    visit(dict(step["inline"], name=step["name"]))

    for template in workflow.get("spec", {}).get("templates", []):
        visit(template)
    return found


def check(path):
    """(number of pods, errors) of `path`."""
    with open(path, encoding="utf-8") as handle:
        documents = [document for document in yaml.safe_load_all(handle) if document is not None]
    count, errors = 0, []
    for workflow in documents:
        for template in templates(workflow):
            if "container" not in template and "script" not in template:
                continue
            count += 1
            try:
                kubernetes_validate.validate(pod(workflow, template), KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = "/".join(str(part) for part in error.path)
                errors.append(f"template {template.get('name')}: {where}: {error.message}")
    return count, errors


def verdict(path):
    """(passed, what to print) for `path`."""
    count, errors = check(path)
    return (False, "invalid: " + "; ".join(errors)) if errors else (True, f"{count} pods valid")


if __name__ == "__main__":
    sys.exit(file_checks.main(__doc__, sys.argv[1:], verdict))
