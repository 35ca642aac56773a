#!/usr/bin/env bash
# Runs everything CI runs: unit and integration tests, then the end-to-end checks of the CLI.
#   scripts/test.sh                 setup --test, container setup, swift test, scripts and examples checks
#   scripts/test.sh --unit-only     setup --test and swift test only
#   scripts/test.sh --conformance   also ../shared/conformance/run (Argo's examples), when present
# Exits non-zero when anything fails. Set SLUICE_SCRATCH_PATH to build in another scratch dir.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

unit_only=0
conformance=0
for arg in "$@"; do
    case "$arg" in
        --unit-only) unit_only=1 ;;
        --conformance) conformance=1 ;;
        *) echo "test.sh: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

scripts/setup.sh --test
# Hera and kubernetes-validate in .build-python/venv, for the round trip of `sluice kube render`'s output; required.
scripts/setup-python-tools.sh >/dev/null
export SLUICE_REQUIRE_PYTHON_TOOLS=1
# Container runtime tests: podman, runc, busybox-static, local test images, and `podman system service` for the
# docker CLI (stopped by its pid when this script exits).
scripts/setup-containers.sh --service
trap 'scripts/setup-containers.sh --stop-service' EXIT
# shellcheck source=/dev/null
source .build-containers/env

echo "== build"
# The CLI tests run the built binary; build it first, in the same scratch path as the tests.
sluice=$(build_sluice)
export SLUICE_BIN="$sluice"

echo "== swift format lint --strict"
# Every source and test is formatted as .swift-format says (`swift format -i -r Sources Tests` fixes it).
swift format lint --strict -r Sources Tests

echo "== swift test"
# Set here, not by the tests: a setenv while other tests spawn processes can crash them.
export SLUICE_TEST_SECRET=hunter2-must-not-leak
# The CLI tests, and the in-process tests that drive podman and the kube tools, wait for the processes they start
# with a blocking waitpid, which holds one of the few threads of Swift's cooperative pool (one per core): run beside
# the other in-process tests they starve them past their time limits on a busy machine. So the in-process tests run
# first, then those driving podman and the kube tools, then the CLI tests, each group on its own.
blocking='SluiceKubeTests|ContainerParityTests|ContainerPodTests|ContainerRuntimeTests'
swift test "${swift_flags[@]}" --disable-xctest --skip SluiceCLITests --skip "$blocking"
swift test "${swift_flags[@]}" --disable-xctest --filter "$blocking"
swift test "${swift_flags[@]}" --disable-xctest --filter SluiceCLITests

if [ "$unit_only" -eq 1 ]; then
    exit 0
fi

echo "== end-to-end checks"
if [ "$conformance" -eq 1 ]; then
    if [ -x ../shared/conformance/run ]; then
        echo "== conformance (Argo's examples, process runtime)"
        ../shared/conformance/run --sluice "$sluice"
    else
        echo "test.sh: --conformance needs ../shared/conformance/run beside the checkout" >&2
        exit 2
    fi
fi
scripts/check-examples.sh "$sluice"
# The same checks with the optimised build users install: a fault only optimised code shows (limits read as 0 in
# `sluice report`) passed every debug test.
echo "== end-to-end checks, release build"
release=$(build_sluice_release)
scripts/check-examples.sh "$release"
