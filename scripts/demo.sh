#!/usr/bin/env bash
# Sets this Debian machine up, builds sluice, runs examples/ml-pipeline.yaml with the process
# runtime and verifies every lineage envelope of that run.
#   scripts/demo.sh
# State goes to $SLUICE_HOME (default ~/.local/state/sluice); the first run creates the signing
# key there (keys/signing-key.pem).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scripts/setup.sh
sluice=$(build_sluice)

echo "+ sluice run examples/ml-pipeline.yaml --runtime process"
"$sluice" run examples/ml-pipeline.yaml --runtime process
echo "+ sluice verify @latest"
"$sluice" verify @latest

sluice=${sluice#"$PWD"/}
echo
echo "Next: $sluice get @latest    $sluice logs @latest evaluate    $sluice list"
echo "      $sluice run examples/ml-pipeline.yaml -p accuracy-threshold=0.99   (register is Skipped)"
