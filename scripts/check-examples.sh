#!/usr/bin/env bash
# End-to-end checks of the sluice CLI, with the process runtime, on examples/ and a few small
# workflows written here: exit codes, node phases and outputs, lint positions, verify (and its
# failure after tampering), list, logs, key handling. Needs no conformance corpus.
#   scripts/check-examples.sh [SLUICE_BINARY]     (default: $SLUICE, else a fresh debug build)
# Works in a temporary SLUICE_HOME. Prints PASS/FAIL/SKIP per check and, last,
# "examples: N passed, M failed, K skipped"; exits 1 when any check failed.
# While the binary has no `run` command that takes `--runtime` (the CLI is not written yet), the
# checks that need it are reported as SKIP and do not fail the script.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sluice=${1:-${SLUICE:-}}
if [ -z "$sluice" ]; then
    sluice=$(build_sluice)
fi
if [ ! -x "$sluice" ]; then
    echo "check-examples.sh: no executable sluice at '$sluice'" >&2
    exit 1
fi
repo=$PWD
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export SLUICE_HOME="$work/state"
unset SLUICE_KEY

cli_ready=0
if "$sluice" run --help 2>&1 | grep -q -- '--runtime'; then
    cli_ready=1
else
    echo "NOTE: $sluice has no 'run --runtime' command yet: the checks that need the CLI are skipped"
fi

passed=0
failed=0
skipped=0
check() { # NAME FUNCTION [needs-cli]: runs FUNCTION, prints PASS or FAIL with what it printed
    local name=$1 out
    if [ "${3:-}" = needs-cli ] && [ "$cli_ready" -eq 0 ]; then
        skipped=$((skipped + 1))
        echo "SKIP $name"
        return
    fi
    # Podman checks need scripts/setup-containers.sh; under CI a missing setup fails them instead.
    if [ "${3:-}" = needs-podman ] && [ -z "${CI:-}" ] &&
        ! podman image exists docker.io/library/python:3.11-slim >/dev/null 2>&1; then
        skipped=$((skipped + 1))
        echo "SKIP $name (no podman test images: run scripts/setup-containers.sh)"
        return
    fi
    if out=$("$2" 2>&1); then
        passed=$((passed + 1))
        echo "PASS $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        printf '%s\n' "$out" | tail -n 25 | sed 's/^/    /'
    fi
}
sl() { timeout 300 "$sluice" "$@"; }
expect() { python3 "$repo/scripts/expect-run.py" "$@"; }
# Runs sluice with ARGS..., and fails unless it exits with WANT.
expect_exit() { # WANT ARGS...
    local want=$1 rc=0
    shift
    sl "$@" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "sluice $*: exit $rc, expected $want"
        return 1
    fi
}
# Runs FILE with the process runtime, expects exit WANT, saves `get @latest -o json` to $work/NAME.json.
run_example() { # NAME WANT FILE [ARGS...]
    local name=$1 want=$2
    shift 2
    expect_exit "$want" run "$@" --runtime process
    sl get @latest -o json > "$work/$name.json"
}
run_name() { expect "$work/$1.json" name; }

# --- scripts --------------------------------------------------------------------------------------
check_scripts() {
    local f
    for f in scripts/*.sh Benchmarks/*.sh .ci/run; do
        bash -n "$f"
    done
    if command -v shellcheck >/dev/null 2>&1; then
        shellcheck -x scripts/*.sh Benchmarks/*.sh .ci/run
    else
        echo "(shellcheck not installed: syntax checked only)"
    fi
}

# --- keys -----------------------------------------------------------------------------------------
check_keygen() {
    sl keygen
    local shown
    shown=$(sl key show)
    grep -q -- '-----BEGIN PUBLIC KEY-----' <<<"$shown" || { echo "no PEM public key in: $shown"; return 1; }
    grep -Eq '[0-9a-f]{64}' <<<"$shown" || { echo "no 64-digit hex key in: $shown"; return 1; }
}
check_key_file_private() {
    local key="$SLUICE_HOME/keys/signing-key.pem" mode
    [ -f "$key" ] || { echo "no signing key at $key"; return 1; }
    mode=$(stat -c %a "$key")
    [ "$mode" = 600 ] || { echo "$key has mode $mode, expected 600"; return 1; }
    mode=$(stat -c %a "$SLUICE_HOME")
    [ "$mode" = 700 ] || { echo "$SLUICE_HOME has mode $mode, expected 700"; return 1; }
}

# --- lint -----------------------------------------------------------------------------------------
check_lint_examples() { sl lint examples/*.yaml; }
check_lint_invalid() {
    local f="$work/invalid.yaml" rc=0 err
    cat > "$f" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: invalid-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: hello
            template: ecko
    - name: echo
      container:
        image: alpine:3.20
        command: [echo, hi]
YAML
    err=$(sl lint "$f" 2>&1) || rc=$?
    [ "$rc" -eq 65 ] || { echo "exit $rc, expected 65: $err"; return 1; }
    grep -Eq "^$f:11:[0-9]+: error: .*ecko" <<<"$err" || { echo "no '$f:11:COLUMN: error: ...ecko...' line in: $err"; return 1; }
}

# --- examples -------------------------------------------------------------------------------------
check_ml_pipeline() {
    run_example ml 0 examples/ml-pipeline.yaml
    expect "$work/ml.json" phase=Succeeded preprocess.phase=Succeeded train.phase=Succeeded \
        evaluate.phase=Succeeded evaluate.output.accuracy=0.91 register.phase=Succeeded \
        register.output.model-id=sha256:28fd07ca9a93346f8563b8d128d865b34c45aa62923d30dc95b4d0d7fd475b3e
}
check_ml_verify() { sl verify "$(run_name ml)"; }
check_ml_report() {
    local out
    out=$(sl report "$(run_name ml)" -o "$work/ml-report.html")
    grep -q "verified) written to" <<<"$out" || { echo "the report does not say the run verified: $out"; return 1; }
}
check_ml_logs() {
    local logs
    logs=$(sl logs "$(run_name ml)" evaluate)
    grep -q 'test accuracy: 0.91 on 100 rows' <<<"$logs" || { echo "evaluate's logs lack the accuracy line: $logs"; return 1; }
}
check_ml_threshold() {
    run_example ml-strict 0 examples/ml-pipeline.yaml -p accuracy-threshold=0.99
    expect "$work/ml-strict.json" phase=Succeeded evaluate.output.accuracy=0.91 register.phase=Skipped
}
check_build_push_deploy() {
    run_example bpd 0 examples/build-push-deploy.yaml
    expect "$work/bpd.json" phase=Succeeded build.phase=Succeeded \
        push.output.image-digest=sha256:5378595c0fe715de754c66fa2466b1b10bbdedc78c65348eb20ce869ac64dbf1 \
        deploy.result=hello-service-staging-5378595c0fe7 test.phase=Succeeded
}
check_governance_refusal() {
    # The same release with its image rule narrowed: every step is refused before it runs (exit 3).
    sed 's|allowed: \["alpine:3.\*"\]|allowed: ["registry.internal/*"]|' examples/build-push-deploy.yaml > "$work/narrowed.yaml"
    grep -q 'registry.internal' "$work/narrowed.yaml" || { echo "the sed did not narrow the image rule"; return 1; }
    expect_exit 3 run "$work/narrowed.yaml" --runtime process
    local get
    get=$(sl get @latest)
    grep -q "constraint 'approved-base-images'" <<<"$get" || { echo "get does not show the refusal: $get"; return 1; }
    grep -q "image 'alpine:3.20' is not allowed" <<<"$get" || { echo "get does not name the image: $get"; return 1; }
}
check_fan_out_fan_in() {
    run_example fan 0 examples/fan-out-fan-in.yaml
    expect "$work/fan.json" phase=Succeeded source.output.batch=batch-42 \
        worker-a.output.partial="a 325" worker-b.output.partial="b 950" \
        worker-c.output.partial="c 1575" worker-d.output.partial="d 2200" merge.output.total=5050
}
check_list() {
    local listing name
    listing=$(sl list)
    for name in "$(run_name ml)" "$(run_name ml-strict)" "$(run_name bpd)" "$(run_name fan)"; do
        grep -qF -- "$name" <<<"$listing" || { echo "run $name missing from: $listing"; return 1; }
    done
}

# --- exit codes and safety ------------------------------------------------------------------------
check_failed_run_exits_1() {
    cat > "$work/fails.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: fails-
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3.20
        command: [sh, -c, "exit 3"]
YAML
    run_example fails 1 "$work/fails.yaml"
    expect "$work/fails.json" phase=Failed
}
check_usage_exits_2() { expect_exit 2 run; }
check_node_environment_clean() {
    cat > "$work/env.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: env-
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3.20
        command: [sh, -c, "env; echo end-of-env"]
YAML
    SLUICE_CHECK_SECRET=do-not-leak-7f3a run_example env 0 "$work/env.yaml"
    local logs
    logs=$(sl logs @latest)
    grep -q end-of-env <<<"$logs" || { echo "node output missing from logs: $logs"; return 1; }
    if grep -Eq 'do-not-leak-7f3a|^SLUICE_|PRIVATE KEY' <<<"$logs"; then
        echo "the node saw the engine's environment or key material: $logs"
        return 1
    fi
}
check_artifact_name_cannot_escape() {
    local target="$work/escaped-artifact"
    cat > "$work/escape.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: escape-
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3.20
        command: [sh, -c, "echo pwned > /tmp/x"]
      outputs:
        artifacts:
          - name: "../../../../../../../../..$target"
            path: /tmp/x
YAML
    sl run "$work/escape.yaml" --runtime process || true
    [ ! -e "$target" ] || { echo "artifact name '../…$target' made sluice write $target"; return 1; }
}
check_run_name_cannot_escape() {
    # metadata.name must be a Kubernetes name; ../ in it must not place the run's directory elsewhere.
    local home="$work/nest/state" rc=0 outside
    cat > "$work/escape-name.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: ../../escaped-run
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine:3.20
        command: [sh, -c, "echo hi"]
YAML
    SLUICE_HOME=$home sl run "$work/escape-name.yaml" --runtime process || rc=$?
    outside=$(find "$work/nest" -mindepth 1 -maxdepth 1 ! -name state)
    [ -z "$outside" ] || { echo "metadata.name '../../escaped-run' made sluice create: $outside"; return 1; }
    [ "$rc" -ne 0 ] || { echo "a workflow named '../../escaped-run' ran (exit 0)"; return 1; }
}
check_verify_detects_tampering() {
    local f
    while IFS= read -r f; do
        chmod u+w "$f"
        printf 'tampered' >> "$f"
    done < <(find "$SLUICE_HOME/artifacts" -type f)
    local rc=0 out
    out=$(sl verify "$(run_name bpd)" 2>&1) || rc=$?
    [ "$rc" -ne 0 ] || { echo "verify passed after every stored artifact was modified: $out"; return 1; }
    [ -n "$out" ] || { echo "verify failed (exit $rc) without saying why"; return 1; }
}

# --- kubernetes -----------------------------------------------------------------------------------
# The ml-pipeline example as docs/kubernetes.md walks through it: the wrapper image built from this sluice, the
# governed Workflow rendered, its pods run under `podman kube play`, the bundle collected and verified, and compared
# with a local podman run of the same workflow at all three levels of `sluice kube diff`.
check_kube_ml_pipeline() {
    local dir="$work/kube" image="localhost/sluice-wrapper:check-$$" rc=0 out
    mkdir -p "$dir"
    printf 'runtime: podman\nenvironment:\n  CONTAINERS_CONF: "%s"\n' "${CONTAINERS_CONF:-}" > "$dir/podman.yaml"
    [ -n "${CONTAINERS_CONF:-}" ] || printf 'runtime: podman\n' > "$dir/podman.yaml"
    bash scripts/build-wrapper-image.sh "$sluice" "$image" || return 1
    out=$(
        export SLUICE_HOME="$dir/state"
        sl keygen >/dev/null &&
            sl kube render examples/ml-pipeline.yaml -o "$dir/ml.argo.yaml" --wrapper-image "$image" &&
            sl kube simulate "$dir/ml.argo.yaml" --artifact-repo "$dir/repo" -o "$dir/cluster" &&
            sl verify "$dir/cluster" >/dev/null &&
            sl run examples/ml-pipeline.yaml --runtime podman --runtime-profile "$dir/podman.yaml" --no-tty >/dev/null &&
            sl export @latest -o "$dir/local" >/dev/null &&
            sl kube diff "$dir/local" "$dir/cluster" 2>&1
    ) || rc=$?
    podman rmi -f "$image" >/dev/null 2>&1 || true
    [ "$rc" -eq 0 ] || { echo "$out"; return 1; }
    grep -q "the same: 4 node(s) verify" <<<"$out" || { echo "$out"; return 1; }
}

check "shell scripts pass bash -n and shellcheck" check_scripts
check "keygen creates a key and key show prints PEM and hex" check_keygen needs-cli
check "the state dir is 0700 and its signing key 0600" check_key_file_private needs-cli
check "lint accepts every example" check_lint_examples needs-cli
check "lint reports an unknown template as file:line:column and exits 65" check_lint_invalid needs-cli
check "ml-pipeline succeeds with accuracy 0.91 and registers the model" check_ml_pipeline needs-cli
check "verify accepts the ml-pipeline run" check_ml_verify needs-cli
check "the report of the ml-pipeline run says it verified" check_ml_report needs-cli
check "logs show evaluate's output" check_ml_logs needs-cli
check "ml-pipeline with accuracy-threshold=0.99 skips register" check_ml_threshold needs-cli
check "build-push-deploy passes digest, result and binary between steps" check_build_push_deploy needs-cli
check "a constraint the release breaks refuses its step: exit 3, shown by get" check_governance_refusal needs-cli
check "fan-out-fan-in: four workers with their own /tmp/out.txt, merge totals 5050" check_fan_out_fan_in needs-cli
check "list shows every run" check_list needs-cli
check "a failing node makes run exit 1 and the workflow Failed" check_failed_run_exits_1 needs-cli
check "run without a file exits 2" check_usage_exits_2 needs-cli
check "a node sees neither the engine's environment nor key material" check_node_environment_clean needs-cli
check "an artifact name cannot make sluice write outside the state dir" check_artifact_name_cannot_escape needs-cli
check "a workflow named ../../x is refused and creates nothing outside the state dir" check_run_name_cannot_escape needs-cli
check "ml-pipeline on a simulated cluster: rendered, simulated under podman, collected, verified, the same as a local run" check_kube_ml_pipeline needs-podman
check "verify fails once stored artifacts are modified" check_verify_detects_tampering needs-cli

echo "examples: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
