#!/usr/bin/env bash
# Installs what Sluice needs on a Debian/Ubuntu host, only when missing.
#   scripts/setup.sh            build + runtime dependencies (libsodium, OpenSSL libcrypto, SQLite, libarchive,
#                               pkg-config, bubblewrap)
#   scripts/setup.sh --test     also what the test suite needs (Python securesystemslib for interop checks,
#                               the ShellCheck linter for the scripts check, xmllint for the JUnit schema check,
#                               headless Chromium for the HTML report check, tmux for the live progress check,
#                               Python jsonschema + PyYAML for the Argo schema check of `sluice kube render`)
# python3 is needed too (examples/ and the checks run it); Debian's python3 is installed only when
# no python3 is on PATH at all.
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

packages=(libsodium-dev libssl-dev libsqlite3-dev libarchive-dev pkg-config bubblewrap git make)
if [ "$want_test" -eq 1 ]; then
    packages+=(shellcheck libxml2-utils chromium fonts-dejavu-core tmux)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v python3 >/dev/null 2>&1; then
    missing+=(python3)
fi
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
        if ! python3 -m pip install -q --disable-pip-version-check 'securesystemslib[crypto]' pynacl; then
            # Debian's own python3 refuses pip installs outside a venv (PEP 668): use Debian's packages.
            echo "setup: pip could not install them; trying Debian's python3-securesystemslib python3-nacl"
            as_root apt-get update -qq
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-securesystemslib python3-nacl >/dev/null
        fi
        if ! python3 -c 'import securesystemslib, nacl' >/dev/null 2>&1; then
            echo "setup: $(command -v python3) still cannot import securesystemslib and nacl" >&2
            exit 1
        fi
    fi
    if ! python3 -c 'import jsonschema, yaml' >/dev/null 2>&1; then
        echo "setup: installing jsonschema and PyYAML (PyPI) for the Argo schema check of rendered workflows"
        if ! python3 -m pip install -q --disable-pip-version-check jsonschema pyyaml; then
            echo "setup: pip could not install them; trying Debian's python3-jsonschema python3-yaml"
            as_root apt-get update -qq
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-jsonschema python3-yaml >/dev/null
        fi
        if ! python3 -c 'import jsonschema, yaml' >/dev/null 2>&1; then
            echo "setup: $(command -v python3) still cannot import jsonschema and yaml" >&2
            exit 1
        fi
    fi
fi
