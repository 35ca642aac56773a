#!/usr/bin/env bash
# Fan-out 1 -> W -> 1 (W=200 parallel trivial nodes between a source and a sink, each
# `sh -c 'echo ID > /tmp/out.txt'`): sluice run (process runtime) against make -j2 and bare spawns.
#   Benchmarks/fan-out.sh                 W=200, R=5 runs each (after one warm-up run)
#   W=1000 R=3 SLUICE=path/to/sluice Benchmarks/fan-out.sh
# Prints median wall times and the engine's overhead per node: (sluice - make) / (W + 2).
set -euo pipefail
# shellcheck source=Benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

width=${W:-200}
case "$width" in '' | *[!0-9]* | 0) echo "W must be a positive integer, not '$width'" >&2; exit 2 ;; esac
nodes=$((width + 2))
find_sluice
prepare_sluice_home

# --- the workflow ------------------------------------------------------------------------------------
wf="$work/fan-out.yaml"
fan_workflow "$width" >"$wf"

# --- the same as a Makefile ------------------------------------------------------------------------
mk="$work/make"
mkdir -p "$mk/out"
fan_makefile "$width" >"$mk/Makefile"

# The spawn floor: the same number of sh -c, the middle layer 2 at a time like make -j2.
bare_fan_out() {
    sh -c "echo source > '$mk/out/bare-source.txt'"
    seq 1 "$width" | xargs -P 2 -I '{}' sh -c "echo {} > '$mk/out/bare-{}.txt'"
    sh -c "echo sink > '$mk/out/bare-sink.txt'"
}

time_median "bare sh -c" bare_fan_out
bare=$median_us
time_median "make -j2" make -s -j2 -C "$mk"
make_us=$median_us
time_median "sluice run" sluice_run "$wf"
sl=$median_us

{
    echo "fan-out 1 -> $width -> 1 ($nodes nodes), median of $runs runs (after 1 warm-up), $(date -u +%Y-%m-%dT%H:%MZ)"
    environment_line
    echo "sluice: $sluice"
    printf '%-28s %10s %14s\n' "" "wall s" "per node ms"
    printf '%-28s %10s %14s\n' "bare $nodes sh -c (xargs -P2)" "$(seconds "$bare")" "$(millis $((bare / nodes)))"
    printf '%-28s %10s %14s\n' "make -j2" "$(seconds "$make_us")" "$(millis $((make_us / nodes)))"
    printf '%-28s %10s %14s\n' "sluice run (process)" "$(seconds "$sl")" "$(millis $((sl / nodes)))"
    printf 'sluice overhead per node over make: %s ms   over bare spawns: %s ms\n' \
        "$(signed_millis $(((sl - make_us) / nodes)))" "$(signed_millis $(((sl - bare) / nodes)))"
} | publish fan-out
