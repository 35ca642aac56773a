#!/usr/bin/env bash
# Installs what Sluice needs on a Debian/Ubuntu host, only when missing.
#   scripts/setup.sh            build + runtime dependencies (libsodium, SQLite, pkg-config, bubblewrap)
#   scripts/setup.sh --test     also what the test suite needs (Python securesystemslib for interop checks)
set -euo pipefail

want_test=0
for arg in "$@"; do
    case "$arg" in
        --test) want_test=1 ;;
        *) echo "setup.sh: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

packages=(libsodium-dev libsqlite3-dev pkg-config bubblewrap git make)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "setup: swift is at /opt/swift/usr/bin; add it to PATH" >&2
    else
        echo "setup: a Swift 6.2+ toolchain is required (https://www.swift.org/install/linux/)" >&2
        exit 1
    fi
fi

if [ "$want_test" -eq 1 ]; then
    if ! python3 -c 'import securesystemslib, nacl' >/dev/null 2>&1; then
        echo "setup: installing securesystemslib (PyPI) for the interop tests"
        python3 -m pip install -q --disable-pip-version-check 'securesystemslib[crypto]' pynacl
    fi
fi
