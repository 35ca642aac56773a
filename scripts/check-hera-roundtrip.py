#!/usr/bin/env python3
"""Parses rendered Argo Workflows with Hera's models and checks that nothing is dropped or changed.

    scripts/check-hera-roundtrip.py FILE.yaml...

Each document is read with PyYAML, validated into Hera's pydantic model of its kind
(`hera.workflows.models`: Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow), dumped back
(by alias, without unset fields) and compared with what was read. Hera's models ignore fields they do not know,
so a field Argo's API lacks comes back missing. Prints one line per file, `FILE: same` or
`FILE: changed: PATH: what` (every difference), and exits 1 when any file changed or did not parse.
Run it with the venv of scripts/setup-python-tools.sh.
"""
import json
import sys

import yaml
from hera.workflows import models

import file_checks

KINDS = {
    "Workflow": models.Workflow,
    "WorkflowTemplate": models.WorkflowTemplate,
    "ClusterWorkflowTemplate": models.ClusterWorkflowTemplate,
    "CronWorkflow": models.CronWorkflow,
}


def differences(read, back, path="$"):
    """The paths where `back` differs from `read`, each with what happened."""
    if isinstance(read, dict) and isinstance(back, dict):
        found = []
        for key, value in read.items():
            if key not in back:
                found.append(f"{path}.{key}: dropped")
            else:
                found += differences(value, back[key], f"{path}.{key}")
        found += [f"{path}.{key}: added {json.dumps(back[key])[:60]}" for key in back if key not in read]
        return found
    if isinstance(read, list) and isinstance(back, list):
        found = [] if len(read) == len(back) else [f"{path}: {len(read)} items came back as {len(back)}"]
        for index, (one, other) in enumerate(zip(read, back)):
            found += differences(one, other, f"{path}[{index}]")
        return found
    if read != back or type(read) is not type(back):
        return [f"{path}: {read!r} came back as {back!r}"]
    return []


def check(path):
    """The differences of every document of `path`, or the reason it did not parse."""
    with open(path, encoding="utf-8") as handle:
        documents = [document for document in yaml.safe_load_all(handle) if document is not None]
    found = []
    for document in documents:
        model = KINDS.get(document.get("kind"))
        if model is None:
            found.append(f"$.kind: {document.get('kind')!r} is not an Argo workflow kind")
            continue
        try:
            parsed = model.model_validate(document)
        except Exception as error:  # pydantic's ValidationError, one line
            found.append("$: Hera's models refuse it: " + " ".join(str(error).split()))
            continue
        found += differences(document, parsed.model_dump(by_alias=True, exclude_none=True, mode="json"))
    return found


def verdict(path):
    """(passed, what to print) for `path`."""
    found = check(path)
    return (False, "changed: " + "; ".join(found)) if found else (True, "same")


if __name__ == "__main__":
    sys.exit(file_checks.main(__doc__, sys.argv[1:], verdict))
