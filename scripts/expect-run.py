#!/usr/bin/env python3
"""Checks a run's Argo-shaped Workflow JSON (`sluice get RUN -o json`) against expectations.

usage: expect-run.py FILE.json EXPECTATION...
  phase=P                  status.phase of the workflow is P
  NODE.phase=P             the node whose displayName is NODE is in phase P
  NODE.output.NAME=VALUE   its outputs.parameters NAME has value VALUE
  NODE.result=VALUE        its outputs.result is VALUE
  name                     (alone) print metadata.name and check nothing else
Prints one line per unmet expectation and exits 1 if there is any.
"""
import json
import sys


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        wf = json.load(f)
    if argv[1:] == ["name"]:
        print((wf.get("metadata") or {}).get("name", ""))
        return 0
    nodes = {}
    for node in ((wf.get("status") or {}).get("nodes") or {}).values():
        nodes.setdefault(node.get("displayName"), node)
    problems = []
    for expectation in argv[1:]:
        key, _, want = expectation.partition("=")
        if key == "phase":
            got = (wf.get("status") or {}).get("phase")
        else:
            name, _, field = key.partition(".")
            node = nodes.get(name)
            if node is None:
                problems.append(f"no node with displayName '{name}' (have: {', '.join(sorted(map(str, nodes)))})")
                continue
            outputs = node.get("outputs") or {}
            if field == "phase":
                got = node.get("phase")
            elif field == "result":
                got = outputs.get("result")
            elif field.startswith("output."):
                wanted = field[len("output."):]
                got = next((p.get("value") for p in outputs.get("parameters") or [] if p.get("name") == wanted), None)
            else:
                problems.append(f"unknown expectation '{expectation}'")
                continue
        if got != want:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
