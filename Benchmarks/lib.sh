# shellcheck shell=bash
# Shared part of the benchmark scripts: sourced, not run.
# Gives: $repo (repository root), $runs (R, default 5), $sluice (binary), $work (temp dir, removed at exit),
# time_median LABEL COMMAND... (runs COMMAND R times after one warm-up, sets $median_us), report helpers.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${R:-5}
case "$runs" in
    '' | *[!0-9]* | 0) echo "R must be a positive integer, not '$runs'" >&2; exit 2 ;;
esac

if ! command -v swift >/dev/null 2>&1 && [ -d /opt/swift/usr/bin ]; then
    PATH="/opt/swift/usr/bin:$PATH"
    export PATH
fi

# The binary under test: $SLUICE, else .build/release/sluice (built with `swift build -c release` if missing).
find_sluice() {
    if [ -n "${SLUICE:-}" ]; then
        sluice=$SLUICE
    else
        sluice="$repo/.build/release/sluice"
        if [ ! -x "$sluice" ]; then
            echo "building $sluice (swift build -c release)" >&2
            (cd "$repo" && swift build -c release --product sluice >&2)
        fi
    fi
    if [ ! -x "$sluice" ]; then
        echo "no sluice binary at '$sluice'" >&2
        exit 1
    fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now_us() { echo $(($(date +%s%N) / 1000)); }

# Runs COMMAND once to warm caches, then R times; sets median_us to the median wall time in microseconds.
# A failing run aborts the benchmark with the command's output.
time_median() { # LABEL COMMAND...
    local label=$1 i t0 t1 log="$work/last.log"
    shift
    local -a samples=()
    for ((i = 0; i <= runs; i++)); do
        t0=$(now_us)
        if ! "$@" >"$log" 2>&1; then
            echo "$label failed (run $i): $*" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        t1=$(now_us)
        if [ "$i" -gt 0 ]; then
            samples+=($((t1 - t0)))
        fi
    done
    local -a sorted
    mapfile -t sorted < <(printf '%s\n' "${samples[@]}" | sort -n)
    local n=${#sorted[@]}
    # shellcheck disable=SC2034 # median_us is the result, read by the sourcing script
    if ((n % 2 == 1)); then
        median_us=${sorted[n / 2]}
    else
        median_us=$(((sorted[n / 2 - 1] + sorted[n / 2]) / 2))
    fi
}

seconds() { printf '%d.%03d' $(($1 / 1000000)) $((($1 % 1000000) / 1000)); }        # µs -> "s.mmm"
millis() { printf '%d.%02d' $(($1 / 1000)) $((($1 % 1000) / 10)); }                  # µs -> "ms.cc"
signed_millis() { if [ "$1" -lt 0 ]; then echo "-$(millis $((-$1)))"; else millis "$1"; fi; }

# Prints the report to stdout and appends it to Benchmarks/results/NAME-DATE.txt (git-ignored).
publish() { # NAME (report text on stdin)
    local dir="$repo/Benchmarks/results" file
    mkdir -p "$dir"
    file="$dir/$1-$(date -u +%Y%m%dT%H%M%SZ).txt"
    tee "$file"
    echo "(saved to ${file#"$repo"/})"
}

# The host facts that explain a number: CPU count, isolation available, versions.
environment_line() {
    local isolation="none (bwrap missing)"
    if command -v bwrap >/dev/null 2>&1; then
        if bwrap --ro-bind / / --dev /dev true 2>/dev/null; then isolation="bubblewrap"; else isolation="none (bwrap fails here)"; fi
    fi
    echo "host: $(nproc) cores, $(uname -sr), isolation available: $isolation, checkout at $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}

# Runs the workflow FILE with sluice in its own state dir; aborts if the run does not succeed.
# ISOLATION=none measures the engine without bubblewrap's spawn cost (nodes then run one at a time).
sluice_run() { # FILE
    "$sluice" run "$1" --runtime process --isolation "${ISOLATION:-auto}" --quiet >/dev/null
}

prepare_sluice_home() {
    export SLUICE_HOME="$work/state"
    unset SLUICE_KEY
    # A fresh state dir has no key yet; keygen may also be unnecessary if `run` creates one.
    "$sluice" key show >/dev/null 2>&1 || "$sluice" keygen >/dev/null
}

# Prints the chain workflow: N nodes `sh -c 'echo ID > /tmp/out.txt'`, node i depending on node i-1; with INPUTS > 0
# each node publishes INPUTS output parameters and consumes those of the node before it (INPUTS gated inputs).
chain_workflow() { # N INPUTS
    local n=$1 inputs=$2 i k parameters
    cat <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: bench-chain-
spec:
  entrypoint: chain
  templates:
    - name: echo
      inputs:
        parameters:
          - name: id
YAML
    for ((k = 1; k <= inputs; k++)); do echo "          - {name: in$k, value: \"\"}"; done
    if [ "$inputs" -gt 0 ]; then
        echo "      outputs:"
        echo "        parameters:"
        for ((k = 1; k <= inputs; k++)); do echo "          - {name: out$k, value: \"{{inputs.parameters.id}}.$k\"}"; done
    fi
    cat <<YAML
      container:
        image: alpine:3.20
        command: [sh, -c]
        args: ["echo {{inputs.parameters.id}} > /tmp/out.txt"]
    - name: chain
      dag:
        tasks:
YAML
    for ((i = 1; i <= n; i++)); do
        echo "          - name: n$i"
        echo "            template: echo"
        parameters="{name: id, value: \"$i\"}"
        if [ "$i" -gt 1 ]; then
            echo "            dependencies: [n$((i - 1))]"
            for ((k = 1; k <= inputs; k++)); do
                parameters+=", {name: in$k, value: \"{{tasks.n$((i - 1)).outputs.parameters.out$k}}\"}"
            done
        fi
        echo "            arguments: {parameters: [$parameters]}"
    done
}

# Prints the fan-out workflow 1 -> W -> 1: a source, W independent nodes depending on it, a sink depending on all.
fan_workflow() { # W
    local width=$1 i
    cat <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: bench-fan-out-
spec:
  entrypoint: fan-out
  templates:
    - name: echo
      inputs:
        parameters:
          - name: id
      container:
        image: alpine:3.20
        command: [sh, -c]
        args: ["echo {{inputs.parameters.id}} > /tmp/out.txt"]
    - name: fan-out
      dag:
        tasks:
          - name: source
            template: echo
            arguments: {parameters: [{name: id, value: source}]}
YAML
    for ((i = 1; i <= width; i++)); do
        echo "          - name: w$i"
        echo "            template: echo"
        echo "            dependencies: [source]"
        echo "            arguments: {parameters: [{name: id, value: \"$i\"}]}"
    done
    echo "          - name: sink"
    echo "            template: echo"
    printf '            dependencies: [w1'
    for ((i = 2; i <= width; i++)); do printf ', w%d' "$i"; done
    printf ']\n'
    echo "            arguments: {parameters: [{name: id, value: sink}]}"
}

# Prints the Makefile of the same fan-out (phony targets: every run does all the work; writes into out/).
fan_makefile() { # W
    local width=$1 i
    printf '.PHONY: all source sink'
    for ((i = 1; i <= width; i++)); do printf ' w%d' "$i"; done
    printf '\nall: sink\nsource:\n\t@echo source > out/source.txt\n'
    for ((i = 1; i <= width; i++)); do printf 'w%d: source\n\t@echo %d > out/%d.txt\n' "$i" "$i" "$i"; done
    printf 'sink:'
    for ((i = 1; i <= width; i++)); do printf ' w%d' "$i"; done
    printf '\n\t@echo sink > out/sink.txt\n'
}

# Prints the Makefile of the chain of N (one /bin/sh -c per recipe, as sluice spawns one sh -c per node).
chain_makefile() { # N
    local n=$1 i
    printf '.PHONY: all'
    for ((i = 1; i <= n; i++)); do printf ' n%d' "$i"; done
    printf '\nall: n%d\n' "$n"
    for ((i = 1; i <= n; i++)); do
        if [ "$i" -gt 1 ]; then printf 'n%d: n%d\n' "$i" $((i - 1)); else printf 'n1:\n'; fi
        printf '\t@echo %d > out.txt\n' "$i"
    done
}
