#!/usr/bin/env bash
# Per-node overhead of Sluice's podman runtime over a bare `podman run --rm` of the same command.
#   Benchmarks/containers.sh [SLUICE_BIN] [RUNS]     (default: builds sluice; 7 runs)
# Needs scripts/setup-containers.sh (podman and the local busybox image). Prints the median wall time of
#   - bare:   podman run --rm IMAGE true (default network, as Sluice uses)
#   - sluice: a one-node workflow (container template: IMAGE, command [true]) with --runtime podman,
#             minus the same workflow with --runtime process (the engine's own cost: parse, SQLite, signing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
if [ -f .build-containers/env ]; then
    # shellcheck source=/dev/null
    source .build-containers/env
fi
sluice=${1:-}
runs=${2:-7}
if [ -z "$sluice" ]; then
    swift build --product sluice >&2
    sluice=$(swift build --show-bin-path)/sluice
fi
image=localhost/sluice-test-base:latest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() { # label, command...
    local label=$1; shift
    local start end
    for _ in $(seq 1 "$runs"); do
        start=$(now); "$@" >/dev/null 2>&1; end=$(now)
        echo "$end - $start" | bc -l
    done | median | xargs printf "%-28s median %.3f s over $runs runs\n" "$label"
}
"$sluice" run "$work/one.yaml" --runtime podman --state-dir "$work/state" >/dev/null  # key creation, warm cache
bare=$(measure "podman run --rm" podman run --rm "$image" true)
proc=$(measure "sluice run (process)" "$sluice" run "$work/one.yaml" --runtime process --state-dir "$work/state")
pod=$(measure "sluice run (podman)" "$sluice" run "$work/one.yaml" --runtime podman --state-dir "$work/state")
echo "$bare"; echo "$proc"; echo "$pod"
b=$(echo "$bare" | awk '{print $(NF-4)}'); p=$(echo "$proc" | awk '{print $(NF-4)}'); c=$(echo "$pod" | awk '{print $(NF-4)}')
printf "podman runtime per-node overhead over bare podman run --rm (minus the engine's process-run cost): %.3f s\n" \
    "$(echo "$c - $p - $b" | bc -l)"
