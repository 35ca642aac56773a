#!/usr/bin/env bash
# Per-node overhead of Sluice's podman runtime over a bare `podman run --rm` of the same command.
#   Benchmarks/containers.sh [SLUICE_BIN] [RUNS] [NODES]    (default: builds sluice; 7 runs; 5 nodes)
# Needs scripts/setup-containers.sh (podman and the local busybox image). Prints medians of wall time of
#   - bare:        podman run --rm IMAGE true (default network, as Sluice uses)
#   - the CLI calls the runtime makes per node, one by one: run (attached, no --rm), container inspect, rm -f
#   - one node:    a one-node workflow (container: IMAGE, command [true]) with --runtime podman and with
#                  --runtime process (the engine's own cost: start-up, parse, SQLite, signing)
#   - NODES nodes: a steps chain of NODES such nodes, both runtimes, to spread the engine's fixed cost
# and the podman runtime's per-node overhead: (chain podman - chain process) / NODES - bare.
# Every measured command must succeed; the script stops at the first failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
if [ -f .build-containers/env ]; then
    # shellcheck source=/dev/null
    source .build-containers/env
fi
sluice=${1:-}
runs=${2:-7}
nodes=${3:-5}
if [ -z "$sluice" ]; then
    swift build --product sluice >&2
    sluice=$(swift build --show-bin-path)/sluice
fi
image=localhost/sluice-test-base:latest
work=$(mktemp -d)
trap 'podman rm -f -t 0 --ignore sluice-bench-probe >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

cat > "$work/one.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: bench-}
spec:
  entrypoint: one
  templates:
  - name: one
    container: {image: $image, command: ["true"]}
YAML
{
    printf 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: chain-}\nspec:\n'
    printf '  entrypoint: chain\n  templates:\n  - name: chain\n    steps:\n'
    for i in $(seq 1 "$nodes"); do printf '    - - {name: n%s, template: one}\n' "$i"; done
    printf '  - name: one\n    container: {image: %s, command: ["true"]}\n' "$image"
} > "$work/chain.yaml"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# measure LABEL COMMAND...: prints "LABEL SECONDS" (the median over $runs runs) and keeps the value in $value.
value=0
measure() {
    local label=$1; shift
    local start end samples=()
    for _ in $(seq 1 "$runs"); do
        start=$(now)
        if ! "$@" >"$work/out" 2>&1; then
            echo "containers.sh: '$*' failed:" >&2; cat "$work/out" >&2; exit 1
        fi
        end=$(now)
        samples+=("$(echo "$end - $start" | bc -l)")
    done
    value=$(printf '%s\n' "${samples[@]}" | median)
    printf "%-40s median %.3f s over %s runs\n" "$label" "$value" "$runs"
}
# elapsed COMMAND...: runs it (it must succeed) and prints its wall time.
elapsed() {
    local start; start=$(now)
    "$@" >"$work/out" 2>&1 || { echo "containers.sh: '$*' failed:" >&2; cat "$work/out" >&2; exit 1; }
    echo "$(now) - $start" | bc -l
}
"$sluice" run "$work/one.yaml" --runtime podman --state-dir "$work/state" >/dev/null 2>&1  # key, warm caches
echo "podman $(podman version --format '{{.Client.Version}}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "bare: podman run --rm" podman run --rm "$image" true; bare=$value
# The three CLI calls the runtime makes per node, on one container: run (attached, kept), inspect, rm -f.
probe="sluice-bench-probe"
run_times=(); inspect_times=(); rm_times=()
for _ in $(seq 1 "$runs"); do
    run_times+=("$(elapsed podman run --name $probe --pull never --quiet "$image" true)")
    inspect_times+=("$(elapsed podman container inspect \
        --format '{{.State.ExitCode}}|{{.Image}}|{{.State.OOMKilled}}' $probe)")
    rm_times+=("$(elapsed podman rm -f -t 0 --ignore $probe)")
done
for call in run inspect rm; do
    declare -n times="${call}_times"
    printf "%-40s median %.3f s over %s runs\n" "  runtime call: podman $call" \
        "$(printf '%s\n' "${times[@]}" | median)" "$runs"
done
measure "sluice run, 1 node (process)" "$sluice" run "$work/one.yaml" --runtime process --state-dir "$work/state"
one_process=$value
measure "sluice run, 1 node (podman)" "$sluice" run "$work/one.yaml" --runtime podman --state-dir "$work/state"
one_podman=$value
measure "sluice run, $nodes nodes (process)" "$sluice" run "$work/chain.yaml" --runtime process --state-dir "$work/state"
chain_process=$value
measure "sluice run, $nodes nodes (podman)" "$sluice" run "$work/chain.yaml" --runtime podman --state-dir "$work/state"
chain_podman=$value
printf "per-node overhead over bare podman run --rm, 1-node run:  %+.3f s\n" \
    "$(echo "$one_podman - $one_process - $bare" | bc -l)"
printf "per-node overhead over bare podman run --rm, %s-node run: %+.3f s\n" "$nodes" \
    "$(echo "($chain_podman - $chain_process) / $nodes - $bare" | bc -l)"
