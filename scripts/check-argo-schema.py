#!/usr/bin/env python3
"""Validates rendered Argo Workflows against Argo's JSON schema, made strict.

    scripts/check-argo-schema.py SCHEMA.json FILE.yaml...

Strict as ../shared/argo-schema/NOTICE.md describes: every object that declares its properties gets
`additionalProperties: false` (so a field Argo does not know, such as `spec.governance`, is an error), and
IntOrString accepts integers as well as strings. Prints one line per file, `FILE: valid` or
`FILE: invalid: <path>: <message>` (every error), and exits 1 when any file is invalid.
"""
import json
import sys

import jsonschema
import yaml

INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
KINDS = {"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"}


def strict(node):
    """Adds additionalProperties: false to every object schema that lists its properties."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)


def main(arguments):
    if len(arguments) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(arguments[0], encoding="utf-8") as handle:
        schema = json.load(handle)
    strict(schema["definitions"])
    schema["definitions"][INT_OR_STRING] = {"type": ["string", "integer"]}
    validators = {}
    for kind in KINDS:
        root = {"$schema": schema["$schema"], "definitions": schema["definitions"],
                "$ref": "#/definitions/io.argoproj.workflow.v1alpha1." + kind}
        validators[kind] = jsonschema.Draft202012Validator(root)
    failed = False
    for path in arguments[1:]:
        with open(path, encoding="utf-8") as handle:
            documents = [document for document in yaml.safe_load_all(handle) if document is not None]
        problems = []
        for index, document in enumerate(documents):
            kind = document.get("kind") if isinstance(document, dict) else None
            if kind not in validators:
                problems.append(f"document {index}: kind {kind!r} is not an Argo workflow kind")
                continue
            for error in sorted(validators[kind].iter_errors(document), key=lambda e: list(e.absolute_path)):
                where = ".".join(str(part) for part in error.absolute_path) or "(root)"
                problems.append(f"{where}: {error.message[:300]}")
        if problems:
            failed = True
            for problem in problems:
                print(f"{path}: invalid: {problem}")
        else:
            print(f"{path}: valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
