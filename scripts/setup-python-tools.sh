#!/usr/bin/env bash
# Creates (once) the Python venv the kube round-trip checks use, .build-python/venv, with Hera (Argo's Python
# models) and kubernetes-validate (Kubernetes' JSON schemas), pinned; prints the venv's python.
#   scripts/setup-python-tools.sh          create or reuse it, print .build-python/venv/bin/python
# Packages come from PyPI through pip; Debian's python3-venv is installed when python3 cannot make a venv.
# Tests find the venv at .build-python/venv (scripts/test.sh runs this first and requires it).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

requirements=("hera==7.1.0" "kubernetes-validate==1.37.0" "PyYAML>=6")
venv=$PWD/.build-python/venv
stamp=$venv/.sluice-requirements

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${requirements[*]}" ]; then
    echo "$venv/bin/python"
    exit 0
fi
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 makes venvs only with python3-venv (ensurepip) installed.
    echo "setup-python-tools: installing python3-venv (Debian)" >&2
    rm -rf "$venv"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
fi
echo "setup-python-tools: installing ${requirements[*]} (PyPI) into $venv" >&2
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}" >&2
"$venv/bin/python" -c 'import hera.workflows.models, kubernetes_validate, yaml'
echo "${requirements[*]}" >"$stamp"
echo "$venv/bin/python"
