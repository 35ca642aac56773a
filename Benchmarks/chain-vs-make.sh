#!/usr/bin/env bash
# Chain of N trivial nodes (node i depends on node i-1, each `sh -c 'echo ID > /tmp/out.txt'`):
# sluice run (process runtime) against make -j2 and a bare loop of N `sh -c` spawns.
#   Benchmarks/chain-vs-make.sh            N=100, R=5 runs each (after one warm-up run)
#   N=200 R=9 SLUICE=path/to/sluice Benchmarks/chain-vs-make.sh
#   INPUTS=4 Benchmarks/chain-vs-make.sh   each node also consumes 4 output parameters of the node before it,
#                                          so the gate verifies 4 inputs per node (all from one envelope)
# Prints median wall times and the engine's overhead per node: (sluice - make) / N.
set -euo pipefail
# shellcheck source=Benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

n=${N:-100}
case "$n" in '' | *[!0-9]* | 0) echo "N must be a positive integer, not '$n'" >&2; exit 2 ;; esac
inputs=${INPUTS:-0}
case "$inputs" in '' | *[!0-9]*) echo "INPUTS must be a non-negative integer, not '$inputs'" >&2; exit 2 ;; esac
find_sluice
prepare_sluice_home

# --- the workflow ------------------------------------------------------------------------------------
wf="$work/chain.yaml"
chain_workflow "$n" "$inputs" >"$wf"

# --- the same as a Makefile (one /bin/sh -c per recipe, as sluice spawns one sh -c per node) -----------
mk="$work/make"
mkdir -p "$mk"
chain_makefile "$n" >"$mk/Makefile"

bare_chain() {
    local i
    for ((i = 1; i <= n; i++)); do sh -c "echo $i > '$mk/bare.txt'"; done
}

time_median "bare sh -c" bare_chain
bare=$median_us
time_median "make -j2" make -s -j2 -C "$mk"
make_us=$median_us
time_median "sluice run" sluice_run "$wf"
sl=$median_us

{
    echo "chain of $n nodes ($inputs inputs per node), median of $runs runs (after 1 warm-up), $(date -u +%Y-%m-%dT%H:%MZ)"
    environment_line
    echo "sluice: $sluice"
    printf '%-28s %10s %14s\n' "" "wall s" "per node ms"
    printf '%-28s %10s %14s\n' "bare chain of $n sh -c" "$(seconds "$bare")" "$(millis $((bare / n)))"
    printf '%-28s %10s %14s\n' "make -j2" "$(seconds "$make_us")" "$(millis $((make_us / n)))"
    printf '%-28s %10s %14s\n' "sluice run (process)" "$(seconds "$sl")" "$(millis $((sl / n)))"
    printf 'sluice overhead per node over make: %s ms   over bare spawns: %s ms\n' \
        "$(signed_millis $(((sl - make_us) / n)))" "$(signed_millis $(((sl - bare) / n)))"
} | publish chain-vs-make
