#!/usr/bin/env python3
"""Writes Sluice's Hera conformance fixtures: small workflows built with Hera (Argo's Python SDK).

usage: hera_cases.py OUTPUT_DIR     (needs `pip install hera pyyaml`)

Each case exercises one Argo behaviour that Hera-generated workflows rely on; the engine tests in
Tests/SluiceEngineTests/ClientConformanceTests.swift run the generated YAML and assert Argo's outcome.
"""
import os
import sys

from hera.workflows import (DAG, Container, Env, Parameter, Script, Steps, Workflow, WorkflowTemplate, models as m)

CASES = {}


def case(name):
    def register(build):
        CASES[name] = build
        return build
    return register


@case("inputs-parameters-json")
def _():
    # Hera's runner scripts read every input at once through `{{inputs.parameters}}`.
    with Workflow(name="inputs-json", entrypoint="main") as w:
        show = Script(name="show", image="busybox", command=["cat"], source="{{inputs.parameters}}",
                      inputs=[Parameter(name="s"), Parameter(name="n", default="3")])
        with Steps(name="main"):
            show(name="show", arguments={"s": "hi"})
    return w


@case("workflow-json-variables")
def _():
    with Workflow(name="json-vars", entrypoint="main", labels={"team": "data"},
                  annotations={"owner": "ana"}, arguments={"size": "5"}) as w:
        Container(name="main", image="busybox", command=["sh", "-c"],
                  args=["echo '{{workflow.parameters.json}}|{{workflow.labels.json}}|{{workflow.annotations.json}}'"])
    return w


@case("custom-variable-passthrough")
def _():
    # Argo leaves variables it does not know, such as `{{custom.variable}}`, as written.
    with Workflow(name="custom-var", entrypoint="main") as w:
        Container(name="main", image="busybox", command=["echo"], args=["{{custom.variable}} and {{ other }}"])
    return w


@case("kubernetes-env-expansion")
def _():
    with Workflow(name="env-expansion", entrypoint="main") as w:
        Container(name="main", image="busybox", command=["echo"], args=["$(GREETING) $(WHO) $$(GREETING) $(NOPE)"],
                  env=[Env(name="GREETING", value="hello"), Env(name="WHO", value="$(GREETING)-world")])
    return w


@case("expr-pipe")
def _():
    with Workflow(name="expr-pipe", entrypoint="main", arguments={"names": '["a","b"]'}) as w:
        Container(name="main", image="busybox", command=["echo"],
                  args=["{{=jsonpath(workflow.parameters.names, '$') | toJSON()}} {{=['x','y'] | join('+')}} "
                        "{{=1..3 | map(# * 2) | sum()}} {{='ab' | upper()}}"])
    return w


@case("retries-argument")
def _():
    with Workflow(name="retries-arg", entrypoint="main") as w:
        flaky = Container(name="flaky", image="busybox", inputs=[Parameter(name="attempt")],
                          command=["sh", "-c"], args=["echo attempt {{inputs.parameters.attempt}}; "
                                                      "test {{inputs.parameters.attempt}} -ge 2"],
                          retry_strategy=m.RetryStrategy(limit="3"))
        with Steps(name="main"):
            flaky(name="try", arguments={"attempt": "{{retries}}"})
    return w


@case("workflow-retry-strategy")
def _():
    # spec.retryStrategy is the default for every template that has none.
    with Workflow(name="wf-retry", entrypoint="main", retry_strategy=m.RetryStrategy(limit="2")) as w:
        Container(name="main", image="busybox", command=["sh", "-c"],
                  args=["n=$(cat /tmp/count 2>/dev/null || echo 0); echo $((n+1)) > /tmp/count; exit 1"])
    return w


@case("template-defaults")
def _():
    with Workflow(name="tpl-defaults", entrypoint="main",
                  template_defaults=m.Template(container=m.Container(image="busybox", working_dir="/work/here"))) as w:
        Container(name="main", command=["sh", "-c"], args=["pwd; echo made > made.txt; cat made.txt"])
    return w


@case("workflow-template-direct")
def _():
    with WorkflowTemplate(name="direct-template", entrypoint="main", arguments={"who": "template"}) as w:
        Container(name="main", image="busybox", command=["echo"], args=["hello {{workflow.parameters.who}}"])
    return w


@case("fail-fast")
def _():
    with Workflow(name="fail-fast", entrypoint="main") as w:
        bad = Container(name="bad", image="busybox", command=["sh", "-c"], args=["exit 1"])
        slow = Container(name="slow", image="busybox", command=["sh", "-c"], args=["sleep 2"])
        with DAG(name="main", fail_fast=True):
            bad(name="bad")
            slow(name="slow")
    return w


@case("cannot-start")
def _():
    with Workflow(name="cannot-start", entrypoint="main") as w:
        Container(name="main", image="busybox", command=["/no/such/executable"])
    return w


@case("signaled")
def _():
    with Workflow(name="signaled", entrypoint="main") as w:
        # Kubernetes reduces `$$` to `$` in args: the shell sees `kill -TERM $$`.
        Container(name="main", image="busybox", command=["sh", "-c"], args=["kill -TERM $$$$; sleep 5"])
    return w


@case("workflow-failures")
def _():
    with Workflow(name="wf-failures", entrypoint="main", on_exit="report") as w:
        Container(name="report", image="busybox", command=["echo"], args=["{{workflow.failures}}"])
        bad = Container(name="bad", image="busybox", command=["sh", "-c"], args=["exit 2"])
        with Steps(name="main"):
            bad(name="first")
    return w


@case("nested-dag-outputs")
def _():
    with Workflow(name="nested-dag-out", entrypoint="main") as w:
        make = Container(name="make", image="busybox", command=["sh", "-c"],
                         args=["echo 42 > /tmp/n.txt; echo data > /tmp/a.txt"],
                         outputs=[Parameter(name="n", value_from=m.ValueFrom(path="/tmp/n.txt")),
                                  m.Artifact(name="a", path="/tmp/a.txt")])
        with DAG(name="inner", outputs=[
                Parameter(name="n", value_from=m.ValueFrom(parameter="{{tasks.make.outputs.parameters.n}}")),
                m.Artifact(name="a", from_="{{tasks.make.outputs.artifacts.a}}")]):
            make(name="make")
        inner = w.templates[-1]
        use = Container(name="use", image="busybox", command=["sh", "-c"],
                        args=["echo {{inputs.parameters.n}}; cat /tmp/in.txt"],
                        inputs=[Parameter(name="n"), m.Artifact(name="a", path="/tmp/in.txt")])
        with DAG(name="main"):
            first = inner(name="inner")
            first >> use(name="use", arguments=[Parameter(name="n", value="{{tasks.inner.outputs.parameters.n}}"),
                                                m.Artifact(name="a", from_="{{tasks.inner.outputs.artifacts.a}}")])
    return w


@case("artifact-paths")
def _():
    # A top-level output file, a steps template handing its own input artifact down, an output written over its
    # input, and a new file beside the input.
    with Workflow(name="artifact-paths", entrypoint="main") as w:
        make = Container(name="make", image="busybox", command=["sh", "-c"], args=["echo payload > /file"],
                         outputs=[m.Artifact(name="out", path="/file")])
        consume = Container(
            name="consume", image="busybox", command=["sh", "-c"],
            args=["cat /tmp/in/data; echo changed > /tmp/in/data; echo extra > /tmp/in/extra.txt"],
            inputs=[m.Artifact(name="data", path="/tmp/in/data")],
            outputs=[m.Artifact(name="same", path="/tmp/in/data"), m.Artifact(name="sibling", path="/tmp/in/extra.txt")])
        with Steps(name="outer", inputs=[m.Artifact(name="data")]) as outer:
            consume(name="inner", arguments=[m.Artifact(name="data", from_="{{inputs.artifacts.data}}")])
        with Steps(name="main"):
            made = make(name="make")
            outer(name="outer", arguments=[m.Artifact(name="data", from_="{{steps.make.outputs.artifacts.out}}")])
    return w


@case("running-hook")
def _():
    # A workflow-level hook whose expression holds while the workflow runs fires during the run.
    with Workflow(name="running-hook", entrypoint="main",
                  hooks={"running": m.LifecycleHook(expression='workflow.status == "Running"', template="note")}) as w:
        Container(name="note", image="busybox", command=["echo"], args=["status {{workflow.status}}"])
        Container(name="main", image="busybox", command=["sh", "-c"], args=["sleep 1; echo main"])
    return w


@case("progress-file")
def _():
    # Pods report `N/M` lines to $ARGO_PROGRESS_FILE: a Succeeded pod counts as complete, a Failed one as reported.
    with Workflow(name="progress", entrypoint="main") as w:
        ok = Container(name="ok", image="busybox", command=["sh", "-c"],
                       args=['echo 1/4 > "$ARGO_PROGRESS_FILE"; echo 3/4 >> "$ARGO_PROGRESS_FILE"'])
        bad = Container(name="bad", image="busybox", command=["sh", "-c"],
                        args=['echo 2/5 > "$ARGO_PROGRESS_FILE"; exit 1'])
        with Steps(name="main") as steps:
            with steps.parallel():
                ok(name="ok")
                bad(name="bad")
    return w


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, build in CASES.items():
        with open(os.path.join(out, f"hera-{name}.yaml"), "w") as f:
            f.write(build().to_yaml())
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
