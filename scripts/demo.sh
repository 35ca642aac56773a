#!/usr/bin/env bash
# Sets this Debian machine up, builds and installs a release sluice (scripts/install.sh: ~/.local/bin, or
# PREFIX=DIR), runs examples/ml-pipeline.yaml with the process runtime, verifies every lineage envelope of that run
# and writes its HTML report.
#   scripts/demo.sh
#   PREFIX=/usr/local scripts/demo.sh
# State goes to $SLUICE_HOME (default ~/.local/state/sluice); the first run creates the signing
# key there (keys/signing-key.pem).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scripts/setup.sh
sluice=$(scripts/install.sh)

echo "+ sluice run examples/ml-pipeline.yaml --runtime process"
"$sluice" run examples/ml-pipeline.yaml --runtime process
echo "+ sluice verify @latest"
"$sluice" verify @latest
echo "+ sluice report @latest -o ml-pipeline-report.html"
"$sluice" report @latest -o ml-pipeline-report.html

# The installed sluice by name when $PREFIX/bin is on PATH, else by its full path.
name=sluice
if [ "$(command -v sluice 2>/dev/null)" != "$sluice" ]; then
    name=$sluice
fi
echo
echo "Next: $name get @latest    $name logs @latest evaluate    $name list    (open ml-pipeline-report.html)"
echo "      $name run examples/ml-pipeline.yaml -p accuracy-threshold=0.99   (register is Skipped)"
echo "      man sluice    (completions for bash, zsh and fish are installed too)"
