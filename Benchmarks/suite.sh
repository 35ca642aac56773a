#!/usr/bin/env bash
# Issue 12's figures in one interleaved run: every contender runs once per round, in turn (make, then each sluice
# binary), so that all of them see the same machine; medians of R rounds after one warm-up round.
#   Benchmarks/suite.sh                                 the release build against make -j2
#   BASELINE=/tmp/sluice-before Benchmarks/suite.sh     ... and against another binary (before/after a change)
#   SNAKEMAKE=1 Benchmarks/suite.sh                     ... and Snakemake (installed from PyPI into Benchmarks/.venv)
#   ONLY=fan-1000,chain-100 Benchmarks/suite.sh         some workloads only (start-up chain-100 fan-1000 fan-10000)
# Knobs: R (3 rounds), R10K (1 round of the 10,000-node fan-out: minutes each), W10K (10000).
#
# Workloads (each node `sh -c 'echo ID > /tmp/out.txt'`; make writes into its own directory):
#   start-up    a one-node workflow (make: a one-target Makefile)
#   chain-100   node i depends on node i-1; sluice isolated (auto: bubblewrap when it works) and --isolation none
#   fan-1000    1 -> 1000 -> 1; sluice isolated and --isolation none
#   fan-10000   1 -> 10000 -> 1, isolated: wall time and peak RSS of the engine process (wait4's ru_maxrss through
#               /usr/bin/time: the largest of the engine and its nodes, which are tiny `sh`), then the wall time of
#               `sluice get @latest` and `sluice get @latest -o json` of that run (medians of 3, interleaved)
# Every sluice binary gets its own state directory (fresh, with its own key), so different schemas never meet.
set -euo pipefail
# shellcheck source=Benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs=${R:-3}
runs10k=${R10K:-1}
width10k=${W10K:-10000}
only=${ONLY:-start-up,chain-100,fan-1000,fan-10000}
for value in "$runs10k" "$width10k"; do
    case "$value" in '' | *[!0-9]* | 0) echo "R10K and W10K must be positive integers, not '$value'" >&2; exit 2 ;; esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }

find_sluice
binaries=("$sluice")
labels=("sluice")
if [ -n "${BASELINE:-}" ]; then
    if [ ! -x "$BASELINE" ]; then echo "no sluice binary at BASELINE='$BASELINE'" >&2; exit 1; fi
    binaries=("$BASELINE" "$sluice")
    labels=("baseline" "sluice")
fi
if [ ! -x /usr/bin/time ]; then echo "/usr/bin/time (GNU time) is needed for peak memory: apt-get install time" >&2; exit 1; fi

# --- Snakemake, on request --------------------------------------------------------------------------------------
snakemake=""
if [ -n "${SNAKEMAKE:-}" ]; then
    venv="$repo/Benchmarks/.venv"
    if [ ! -x "$venv/bin/snakemake" ]; then
        echo "installing snakemake into $venv (pip)" >&2
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet snakemake >&2
    fi
    snakemake="$venv/bin/snakemake"
fi

# --- state directories, workflows, Makefiles, Snakefiles ------------------------------------------------------------
for index in "${!binaries[@]}"; do
    SLUICE_HOME="$work/state-$index" "${binaries[$index]}" keygen >/dev/null 2>&1 || true
done
unset SLUICE_KEY

mkdir -p "$work/wf" "$work/results"
one_node_workflow() {
    cat <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: bench-one-
spec:
  entrypoint: one
  templates:
    - name: one
      container:
        image: alpine:3.20
        command: [sh, -c]
        args: ["echo one > /tmp/out.txt"]
YAML
}
one_node_workflow >"$work/wf/start-up.yaml"
chain_workflow 100 0 >"$work/wf/chain-100.yaml"
fan_workflow 1000 >"$work/wf/fan-1000.yaml"
if wants fan-10000; then fan_workflow "$width10k" >"$work/wf/fan-10000.yaml"; fi

for name in start-up chain-100 fan-1000 fan-10000; do mkdir -p "$work/make-$name/out"; done
printf '.PHONY: all\nall:\n\t@echo one > out/out.txt\n' >"$work/make-start-up/Makefile"
chain_makefile 100 >"$work/make-chain-100/Makefile"
fan_makefile 1000 >"$work/make-fan-1000/Makefile"
if wants fan-10000; then fan_makefile "$width10k" >"$work/make-fan-10000/Makefile"; fi

if [ -n "$snakemake" ]; then
    for name in chain-100 fan-1000; do mkdir -p "$work/snake-$name"; done
    cat >"$work/snake-chain-100/Snakefile" <<'SNAKE'
rule all:
    input: "out/n100.txt"
def previous(wildcards):
    i = int(wildcards.i)
    return [] if i == 1 else [f"out/n{i - 1}.txt"]
rule n:
    input: previous
    output: "out/n{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE
    cat >"$work/snake-fan-1000/Snakefile" <<'SNAKE'
rule all:
    input: "out/sink.txt"
rule source:
    output: "out/source.txt"
    shell: "echo source > {output}"
rule w:
    input: "out/source.txt"
    output: "out/w{i}.txt"
    shell: "echo {wildcards.i} > {output}"
rule sink:
    input: expand("out/w{i}.txt", i=range(1, 1001))
    output: "out/sink.txt"
    shell: "echo sink > {output}"
SNAKE
fi

# --- measuring --------------------------------------------------------------------------------------------------
# Runs COMMAND under /usr/bin/time; when RECORD is 1 appends "wall_us peak_rss_kib" to $work/results/KEY.
# A failing command aborts the suite with its output.
measure() { # RECORD KEY COMMAND...
    local record=$1 key=$2 t0 t1 rss
    shift 2
    t0=$(now_us)
    if ! /usr/bin/time -f '%M' -o "$work/rss.txt" "$@" >"$work/last.log" 2>&1; then
        echo "$key failed: $*" >&2
        tail -n 20 "$work/last.log" >&2
        exit 1
    fi
    t1=$(now_us)
    rss=$(tail -n 1 "$work/rss.txt")
    if [ "$record" = 1 ]; then echo "$((t1 - t0)) $rss" >>"$work/results/${key//\//_}"; fi
}

median_of() { # KEY COLUMN (1 wall µs, 2 peak RSS KiB); "-" when not measured
    local file="$work/results/${1//\//_}"
    if [ ! -s "$file" ]; then echo "-"; return; fi
    sort -n -k"$2","$2" "$file" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

sluice_in() { # INDEX ISOLATION WORKFLOW: the command line of a run (for measure, which execs it)
    sluice_cmd=(env SLUICE_HOME="$work/state-$1" "${binaries[$1]}" run "$3" --runtime process --isolation "$2"
        --quiet --no-tty)
}

# One round of the small workloads: each contender once, in turn.
small_round() { # RECORD
    local record=$1 index
    if wants start-up; then
        measure "$record" "start-up/make" make -s -j2 -C "$work/make-start-up"
        for index in "${!binaries[@]}"; do
            sluice_in "$index" auto "$work/wf/start-up.yaml"
            measure "$record" "start-up/$index/auto" "${sluice_cmd[@]}"
        done
    fi
    for name in chain-100 fan-1000; do
        wants "$name" || continue
        measure "$record" "$name/make" make -s -j2 -C "$work/make-$name"
        for index in "${!binaries[@]}"; do
            sluice_in "$index" auto "$work/wf/$name.yaml"
            measure "$record" "$name/$index/auto" "${sluice_cmd[@]}"
            sluice_in "$index" none "$work/wf/$name.yaml"
            measure "$record" "$name/$index/none" "${sluice_cmd[@]}"
        done
        if [ -n "$snakemake" ]; then
            measure "$record" "$name/snakemake" "$snakemake" -q --cores 2 --forceall -d "$work/snake-$name" \
                -s "$work/snake-$name/Snakefile"
        fi
    done
}

small_round 0
for ((round = 1; round <= runs; round++)); do small_round 1; done

if wants fan-10000; then
    for ((round = 1; round <= runs10k; round++)); do
        measure 1 "fan-10000/make" make -s -j2 -C "$work/make-fan-10000"
        for index in "${!binaries[@]}"; do
            sluice_in "$index" auto "$work/wf/fan-10000.yaml"
            measure 1 "fan-10000/$index/auto" "${sluice_cmd[@]}"
        done
    done
    for ((round = 0; round <= 3; round++)); do # round 0 warms the page cache
        for index in "${!binaries[@]}"; do
            measure $((round > 0)) "get/$index/table" env SLUICE_HOME="$work/state-$index" "${binaries[$index]}" get @latest
            measure $((round > 0)) "get/$index/json" env SLUICE_HOME="$work/state-$index" "${binaries[$index]}" get @latest -o json
        done
    done
fi

# --- the report -------------------------------------------------------------------------------------------------
cell() { # KEY: median wall seconds, or "-"
    local us
    us=$(median_of "$1" 1)
    if [ "$us" = "-" ]; then echo "-"; else seconds "$us"; fi
}
ratio() { # KEY MAKE_KEY: sluice / make as "N.Nx"
    local a b
    a=$(median_of "$1" 1)
    b=$(median_of "$2" 1)
    if [ "$a" = "-" ] || [ "$b" = "-" ] || [ "$b" -eq 0 ]; then echo "-"; return; fi
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1fx", a / b }'
}
mib() { # KEY: median peak RSS in MiB
    local kib
    kib=$(median_of "$1" 2)
    if [ "$kib" = "-" ]; then echo "-"; else awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }'; fi
}

{
    echo "Benchmarks/suite.sh, $(date -u +%Y-%m-%dT%H:%MZ): medians of $runs interleaved rounds (fan-10000: $runs10k)"
    environment_line
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), memory $(free -g | awk '/^Mem:/ { print $2 }') GiB, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    for index in "${!binaries[@]}"; do
        echo "${labels[$index]}: ${binaries[$index]}"
    done
    header="$(printf '%-26s %9s' "figure" "make -j2")"
    for index in "${!binaries[@]}"; do header+="$(printf ' %12s %7s' "${labels[$index]} s" "x make")"; done
    if [ -n "$snakemake" ]; then header+="$(printf ' %11s %7s' "snakemake s" "x make")"; fi
    echo "$header"
    row() { # LABEL WORKLOAD ISOLATION
        local line index
        line="$(printf '%-26s %9s' "$1" "$(cell "$2/make")")"
        for index in "${!binaries[@]}"; do
            line+="$(printf ' %12s %7s' "$(cell "$2/$index/$3")" "$(ratio "$2/$index/$3" "$2/make")")"
        done
        if [ -n "$snakemake" ] && [ "$3" = auto ] && [ -s "$work/results/${2}_snakemake" ]; then
            line+="$(printf ' %11s %7s' "$(cell "$2/snakemake")" "$(ratio "$2/snakemake" "$2/make")")"
        fi
        echo "$line"
    }
    if wants start-up; then row "start-up, 1 node" start-up auto; fi
    if wants chain-100; then
        row "chain-100 isolated" chain-100 auto
        row "chain-100 --isolation none" chain-100 none
    fi
    if wants fan-1000; then
        row "fan-1000 isolated" fan-1000 auto
        row "fan-1000 --isolation none" fan-1000 none
    fi
    if wants fan-10000; then
        row "fan-$width10k isolated" fan-10000 auto
        line="$(printf '%-26s %9s' "  peak RSS MiB" "$(mib fan-10000/make)")"
        for index in "${!binaries[@]}"; do line+="$(printf ' %12s %7s' "$(mib "fan-10000/$index/auto")" "")"; done
        echo "$line"
        line="$(printf '%-26s %9s' "  sluice get s" "")"
        for index in "${!binaries[@]}"; do line+="$(printf ' %12s %7s' "$(cell "get/$index/table")" "")"; done
        echo "$line"
        line="$(printf '%-26s %9s' "  sluice get -o json s" "")"
        for index in "${!binaries[@]}"; do line+="$(printf ' %12s %7s' "$(cell "get/$index/json")" "")"; done
        echo "$line"
    fi
    if wants chain-100; then
        for index in "${!binaries[@]}"; do
            a=$(median_of "chain-100/$index/none" 1)
            b=$(median_of "chain-100/make" 1)
            echo "${labels[$index]}: engine work per node on chain-100 without isolation, beyond make: $(signed_millis $(((a - b) / 100))) ms"
        done
    fi
} | publish suite
