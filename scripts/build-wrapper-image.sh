#!/usr/bin/env bash
# Builds the wrapper image that `sluice kube render --wrapper-image` names (default localhost/sluice-wrapper:latest):
# `sluice` with a bundled loader, so that `sluice wrap` runs inside any image (busybox, alpine/musl, distroless),
# whatever C library that image has, or none.
#   scripts/build-wrapper-image.sh [SLUICE_BINARY] [IMAGE]
# Without SLUICE_BINARY (or with ""), builds the wrapper's own sluice: a release build with the Swift runtime and
# Foundation linked statically (--static-swift-stdlib, in .build-static), which starts faster and leaves only the C
# libraries to bundle. IMAGE defaults to localhost/sluice-wrapper:latest.
#
# The image holds one directory, /var/run/sluice/bin (PodLayout.binDirectory), exactly as the init container copies
# it into the pod's emptyDir:
#   sluice    the executable, its ELF interpreter set to /var/run/sluice/bin/ld.so and its RPATH (searched for the
#             libraries' own dependencies too, unlike RUNPATH) to /var/run/sluice/bin/lib
#             (both rewritten in place: the new strings are shorter than the ones the linker wrote)
#   ld.so     the glibc loader the binary was linked against
#   lib/      every shared library `ldd` resolves for it (Swift runtime, Foundation, libsodium, libcrypto, ...)
# Nothing is taken from the image the wrapper runs in: no LD_LIBRARY_PATH, no /lib. Prints the bundle's size.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sluice=${1:-}
image=${2:-localhost/sluice-wrapper:latest}
if [ -z "$sluice" ]; then
    # The RPATH names the bundle's lib/ (rewritten below either way; a static build's own is only $ORIGIN).
    wrapper_flags=(--scratch-path .build-static -c release --static-swift-stdlib -Xlinker -rpath=/var/run/sluice/bin/lib)
    swift build "${wrapper_flags[@]}" --product sluice >&2
    sluice=$(swift build "${wrapper_flags[@]}" --show-bin-path)/sluice
fi
[ -x "$sluice" ] || { echo "build-wrapper-image: no executable sluice at '$sluice'" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$work/root/var/run/sluice/bin
mkdir -p "$bin/lib" "$work/root/tmp"
chmod 1777 "$work/root/tmp"

loader=
while read -r line; do
    case "$line" in
        *"=> not found"*) echo "build-wrapper-image: $sluice needs a library ldd cannot find: $line" >&2; exit 1 ;;
        *" => "/*) path=${line#* => }; path=${path%% (*}; cp -L "$path" "$bin/lib/" ;;
        /*ld-linux*) loader=${line%% (*} ;;
    esac
done < <(ldd "$sluice")
[ -n "$loader" ] || { echo "build-wrapper-image: ldd names no ELF loader for $sluice" >&2; exit 1; }
cp -L "$loader" "$bin/ld.so"
cp "$sluice" "$bin/sluice"
# Debug information is not needed to run (a debug build's is about 40% of its size); binutils' strip, when present.
if command -v strip >/dev/null 2>&1; then
    strip --strip-debug "$bin/sluice" "$bin"/lib/*
fi
chmod 0555 "$bin/sluice" "$bin/ld.so"
chmod 0444 "$bin"/lib/*

python3 - "$bin/sluice" <<'EOF'
"""Rewrites the ELF interpreter and RUNPATH of a 64-bit little-endian executable in place."""
import struct, sys

path = sys.argv[1]
data = bytearray(open(path, "rb").read())
assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not a 64-bit little-endian ELF file"
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)

def put(offset, capacity, text):
    raw = text.encode() + b"\0"
    assert len(raw) <= capacity, f"'{text}' does not fit in {capacity} bytes"
    data[offset:offset + capacity] = raw + b"\0" * (capacity - len(raw))

segments = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
for kind, _, offset, vaddr, _, filesz, _, _ in segments:
    if kind == 3:  # PT_INTERP
        put(offset, filesz, "/var/run/sluice/bin/ld.so")

def file_offset(address):
    for kind, _, offset, vaddr, _, filesz, _, _ in segments:
        if kind == 1 and vaddr <= address < vaddr + filesz:
            return address - vaddr + offset
    raise SystemExit(f"address {address:#x} is in no loaded segment")

dynamic = [s for s in segments if s[0] == 2][0]
entries = [struct.unpack_from("<qQ", data, dynamic[2] + i * 16) for i in range(dynamic[5] // 16)]
strtab = file_offset(next(value for tag, value in entries if tag == 5))
found = False
for index, (tag, value) in enumerate(entries):
    if tag in (15, 29):  # DT_RPATH, DT_RUNPATH
        start = strtab + value
        end = data.index(b"\0", start)
        put(start, end - start + 1, "/var/run/sluice/bin/lib")
        # DT_RPATH, unlike DT_RUNPATH, also applies to the libraries' own dependencies (libarchive's libnettle).
        struct.pack_into("<q", data, dynamic[2] + index * 16, 15)
        found = True
assert found, "the executable has no RUNPATH to rewrite"
open(path, "wb").write(data)
EOF

tar -C "$work/root" -cf "$work/wrapper.tar" .
# The image this tag named before: once the tag moves it is a dangling <none> image, one more per rebuild.
previous=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
podman import -q --change 'ENTRYPOINT ["/var/run/sluice/bin/sluice"]' "$work/wrapper.tar" "$image" >/dev/null
# The bundle must run with nothing but itself (and /proc, which the Swift runtime reads, as every container has).
if ! podman run --rm --network none "$image" --help >/dev/null; then
    podman rmi -f "$image" >/dev/null
    echo "build-wrapper-image: $image does not run 'sluice --help' on its own" >&2
    exit 1
fi
current=$(podman image inspect --format '{{.Id}}' "$image")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true # still used by a container: left
fi
echo "build-wrapper-image: $image ($(du -sh "$bin" | cut -f1) in /var/run/sluice/bin: sluice $(du -h "$bin/sluice" | cut -f1), $(find "$bin/lib" -type f | wc -l) libraries $(du -sh "$bin/lib" | cut -f1))"
