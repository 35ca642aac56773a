#!/usr/bin/env bash
# SHA-256 throughput and the gate's cost per input, on a release build.
#   Benchmarks/hashing.sh                      1 GiB file, R=5 runs each (after one warm-up run)
#   SIZE_MIB=256 R=3 Benchmarks/hashing.sh     a smaller file
#   GATE_SIZES=1KiB,1MiB,1GiB Benchmarks/hashing.sh
# Prints
#   - `sluice digest FILE` against `sha256sum` and `openssl dgst -sha256` on one file (page cache warm), GB/s;
#   - `sluice-bench gate`: per input size, the median time to re-hash the input and verify its envelope
#     (what the gate does before a node starts), and the Ed25519 signature check alone;
#   - `sluice-bench sha256`: in-memory SHA-256 of Sluice's Digest (OpenSSL libcrypto) against libsodium's,
#     which it replaced, on a 256 MiB buffer and per call on 64 B and 1 KiB messages.
# GB/s are 10^9 bytes per second.
set -euo pipefail
# shellcheck source=Benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

size_mib=${SIZE_MIB:-1024}
case "$size_mib" in '' | *[!0-9]* | 0) echo "SIZE_MIB must be a positive integer, not '$size_mib'" >&2; exit 2 ;; esac
gate_sizes=${GATE_SIZES:-1KiB,1MiB,100MiB}
bytes=$((size_mib * 1024 * 1024))
for tool in sha256sum openssl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "hashing.sh needs $tool on PATH" >&2; exit 1; }
done
find_sluice

# The benchmark executable: $SLUICE_BENCH, else sluice-bench next to the sluice binary (built when missing).
bench=${SLUICE_BENCH:-$(dirname "$sluice")/sluice-bench}
if [ ! -x "$bench" ]; then
    echo "building $bench (swift build -c release --product sluice-bench)" >&2
    (cd "$repo" && swift build -c release --product sluice-bench >&2)
    bench="$repo/.build/release/sluice-bench"
fi

# --- one large file ----------------------------------------------------------------------------------
file="$work/input.bin"
head -c "$bytes" /dev/urandom >"$file"

# The three must agree before their times mean anything.
ours=$("$sluice" digest "$file")
coreutils=$(sha256sum "$file" | cut -d' ' -f1)
openssl_hex=$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)
if [ "$ours" != "sha256:$coreutils" ] || [ "$coreutils" != "$openssl_hex" ]; then
    echo "digests differ: sluice $ours, sha256sum $coreutils, openssl $openssl_hex" >&2
    exit 1
fi

gbps() { awk -v b="$bytes" -v us="$1" 'BEGIN { printf "%.2f", b / us / 1000 }'; } # µs -> GB/s
time_median "sluice digest" "$sluice" digest "$file"
sluice_us=$median_us
time_median "sha256sum" sha256sum "$file"
coreutils_us=$median_us
time_median "openssl dgst" openssl dgst -sha256 "$file"
openssl_us=$median_us

gate_report=$("$bench" gate --sizes "$gate_sizes" --scratch "$work")
memory_report=$("$bench" sha256)

{
    echo "hashing: $size_mib MiB file, median of $runs runs (after 1 warm-up), $(date -u +%Y-%m-%dT%H:%MZ)"
    environment_line
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), SHA-NI: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no); $(openssl version)"
    echo "sluice: $sluice"
    printf '%-28s %10s %8s\n' "" "wall s" "GB/s"
    printf '%-28s %10s %8s\n' "sluice digest" "$(seconds "$sluice_us")" "$(gbps "$sluice_us")"
    printf '%-28s %10s %8s\n' "sha256sum" "$(seconds "$coreutils_us")" "$(gbps "$coreutils_us")"
    printf '%-28s %10s %8s\n' "openssl dgst -sha256" "$(seconds "$openssl_us")" "$(gbps "$openssl_us")"
    echo
    echo "gate per input (sluice-bench gate): re-hash the file + LineageVerifier.verifyInput, medians"
    echo "$gate_report"
    echo
    echo "in-memory SHA-256 (sluice-bench sha256), medians"
    echo "$memory_report"
} | publish hashing
