#!/usr/bin/env bash
# Two sluice binaries side by side on the chain workflow, runs interleaved (A B A B ...) so that both see the same
# machine: on a shared VM the cost of creating files and directories drifts by 2x within minutes, so timing one
# binary after the other compares the machine, not the binaries.
#   Benchmarks/compare.sh BASELINE [CANDIDATE]     CANDIDATE defaults to .build/release/sluice
#   N=200 INPUTS=4 R=9 ISOLATION=none Benchmarks/compare.sh /tmp/sluice-before
# Prints, per binary, the median wall time and the median CPU time (user + system, the nodes' `sh` included) of a
# run, and per node.
set -euo pipefail
# shellcheck source=Benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: Benchmarks/compare.sh BASELINE [CANDIDATE]" >&2
    exit 2
fi
n=${N:-100}
case "$n" in '' | *[!0-9]* | 0) echo "N must be a positive integer, not '$n'" >&2; exit 2 ;; esac
inputs=${INPUTS:-0}
case "$inputs" in '' | *[!0-9]*) echo "INPUTS must be a non-negative integer, not '$inputs'" >&2; exit 2 ;; esac
baseline=$1
if [ $# -eq 2 ]; then SLUICE=$2; fi
find_sluice
for binary in "$baseline" "$sluice"; do
    if [ ! -x "$binary" ]; then echo "no sluice binary at '$binary'" >&2; exit 1; fi
done
sluice_binary=$sluice
# Each binary has a state directory of its own: an older binary refuses a database a newer one migrated.
homes=("$work/state-baseline" "$work/state-candidate")
for index in 0 1; do
    binary=$baseline
    if [ "$index" -eq 1 ]; then binary=$sluice_binary; fi
    SLUICE_HOME=${homes[$index]} "$binary" keygen >/dev/null
done
unset SLUICE_KEY

wf="$work/chain.yaml"
chain_workflow "$n" "$inputs" >"$wf"

# Runs BINARY once on the workflow in state directory HOME; appends "wall_us cpu_us" to FILE.
# A failing run aborts the comparison with its output.
timed_run() { # BINARY FILE HOME
    local t0 t1 cpu TIMEFORMAT='%3U %3S'
    t0=$(now_us)
    if ! { time SLUICE_HOME=$3 "$1" run "$wf" --runtime process --isolation "${ISOLATION:-auto}" --quiet \
        >"$work/last.log" 2>&1; } 2>"$work/time.txt"; then
        echo "run failed: $1" >&2
        tail -n 20 "$work/last.log" >&2
        exit 1
    fi
    t1=$(now_us)
    cpu=$(awk '{ printf "%d", ($1 + $2) * 1000000 }' "$work/time.txt")
    echo "$((t1 - t0)) $cpu" >>"$2"
}

median_of() { # FILE COLUMN
    sort -n -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

: >"$work/a.txt"
: >"$work/b.txt"
timed_run "$baseline" "$work/warm-up.txt" "${homes[0]}" # warm-up, both binaries
timed_run "$sluice_binary" "$work/warm-up.txt" "${homes[1]}"
for ((i = 0; i < runs; i++)); do
    timed_run "$baseline" "$work/a.txt" "${homes[0]}"
    timed_run "$sluice_binary" "$work/b.txt" "${homes[1]}"
done

{
    echo "chain of $n nodes ($inputs inputs per node), isolation ${ISOLATION:-auto}, $runs interleaved runs each, $(date -u +%Y-%m-%dT%H:%MZ)"
    environment_line
    printf '%-12s %10s %14s %10s %14s  %s\n' "" "wall s" "wall ms/node" "cpu s" "cpu ms/node" "binary"
    for side in a b; do
        wall=$(median_of "$work/$side.txt" 1)
        cpu=$(median_of "$work/$side.txt" 2)
        if [ "$side" = a ]; then label=baseline binary=$baseline; else label=candidate binary=$sluice_binary; fi
        printf '%-12s %10s %14s %10s %14s  %s\n' "$label" "$(seconds "$wall")" "$(millis $((wall / n)))" \
            "$(seconds "$cpu")" "$(millis $((cpu / n)))" "$binary"
    done
} | publish compare
