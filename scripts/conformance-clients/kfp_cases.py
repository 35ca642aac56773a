#!/usr/bin/env python3
"""Writes Sluice's Kubeflow Pipelines v1 conformance fixtures: pipelines compiled to Argo YAML by KFP's compiler.

usage: kfp_cases.py OUTPUT_DIR     (needs `pip install 'kfp<2'`)

The engine tests in Tests/SluiceEngineTests/ClientConformanceTests.swift run the compiled YAML and assert Argo's
outcome.
"""
import os
import sys

import kfp
from kfp import dsl
from kfp.components import create_component_from_func


def add(a: float, b: float) -> float:
    return a + b


def describe(total: float) -> str:
    return f"total={total}"


def _op(func):
    # The process runtime runs the component's python on the host; the image only names it.
    return create_component_from_func(func, base_image="python:3.11")


@dsl.pipeline(name="kfp-add", description="two additions and a description, as KFP v1 compiles them")
def add_pipeline(a: float = 1.5, b: float = 2.0):
    first = _op(add)(a, b)
    second = _op(add)(first.output, 4)
    _op(describe)(second.output)


def flip(seed: int) -> str:
    return "heads" if seed % 2 == 0 else "tails"


def say(text: str):
    print(text)


@dsl.pipeline(name="kfp-condition", description="a condition and an exit handler")
def condition_pipeline(seed: int = 4):
    goodbye = _op(say)("exit handler ran")
    with dsl.ExitHandler(goodbye):
        coin = _op(flip)(seed)
        with dsl.Condition(coin.output == "heads"):
            _op(say)("it was heads")
        with dsl.Condition(coin.output == "tails"):
            _op(say)("it was tails")


CASES = {"kfp-add": add_pipeline, "kfp-condition": condition_pipeline}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, pipeline in CASES.items():
        kfp.compiler.Compiler().compile(pipeline, os.path.join(out, f"{name}.yaml"))
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
