#!/usr/bin/env bash
# Measures how Argo's own examples fare under `sluice kube simulate`: each runnable example of
# ../shared/argo-examples/expectations.json rendered (--allow-ungoverned, the conformance profile's entrypoints),
# its pods run under podman with the wrapper image, the bundle collected and verified.
#   scripts/simulate-argo-examples.sh SLUICE WRAPPER_IMAGE [SECONDS]    (SECONDS: per example, default 300)
# Needs podman (scripts/setup-containers.sh) and the stand-in images of ../shared/conformance/build-images
# (--full for the python, curl, jq and nginx ones). Prints one line per example,
#   PATH: rendered|not rendered, PHASE (expected EXPECTED)|timeout|not simulated: REASON, verified|not verified
# then the counts. For docs/kubernetes.md's figures; not part of CI (it takes a while).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sluice=${1:?usage: simulate-argo-examples.sh SLUICE WRAPPER_IMAGE [SECONDS]}
image=${2:?usage: simulate-argo-examples.sh SLUICE WRAPPER_IMAGE [SECONDS]}
limit=${3:-300}
root=../shared/argo-examples
profile=../shared/conformance/process-profile.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SLUICE_HOME=$work/state
"$sluice" keygen >/dev/null

tried=0 rendered=0 ended=0 expected=0 verified=0
while IFS='|' read -r index path want params templates; do
    tried=$((tried + 1))
    dir=$work/$index
    mkdir -p "$dir"
    args=()
    for p in $params; do args+=(-p "$p"); done
    for t in $templates; do args+=(--templates "$root/$t"); done
    line="$path:"
    if ! "$sluice" kube render "$root/$path" "${args[@]}" --allow-ungoverned --runtime-profile "$profile" \
        --wrapper-image "$image" -o "$dir/wf.yaml" >"$dir/render.out" 2>&1; then
        echo "$line not rendered: $(tail -n 1 "$dir/render.out")"
        continue
    fi
    rendered=$((rendered + 1))
    status=0
    timeout "$limit" "$sluice" kube simulate "$dir/wf.yaml" --artifact-repo "$dir/repo" -o "$dir/bundle" \
        >"$dir/simulate.out" 2>&1 || status=$?
    if [ "$status" -eq 124 ]; then
        echo "$line rendered, timeout after ${limit}s"
        continue
    fi
    phase=$(sed -n 's/^[^ ]* \(Succeeded\|Failed\|Error\); Workflow object: .*/\1/p' "$dir/simulate.out" | tail -n 1)
    if [ -z "$phase" ]; then
        echo "$line rendered, not simulated: $(grep -m 1 'error' "$dir/simulate.out" || tail -n 1 "$dir/simulate.out")"
        continue
    fi
    ended=$((ended + 1))
    [ "$phase" = "$want" ] && expected=$((expected + 1))
    check="not verified"
    if [ -d "$dir/bundle" ] && "$sluice" verify "$dir/bundle" >/dev/null 2>&1; then
        check=verified
        verified=$((verified + 1))
    fi
    echo "$line rendered, $phase (expected $want), $check"
done < <(python3 - "$root/expectations.json" <<'PY'
import json, sys
for index, entry in enumerate(json.load(open(sys.argv[1]))):
    params = " ".join(f"{k}={v}" for k, v in sorted((entry.get("params") or {}).items()))
    templates = " ".join(entry.get("requires_templates", []))
    print("|".join([str(index), entry["path"], entry.get("expected_phase", "Succeeded"), params, templates]))
PY
)
echo "tried $tried, rendered $rendered, ran to the end $ended (phase as Argo: $expected), bundles verified $verified"
