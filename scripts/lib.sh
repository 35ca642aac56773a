# shellcheck shell=bash
# Shared prelude of Sluice's scripts: `source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`.
# Moves to the repository root, puts a Swift toolchain on PATH when one sits at /opt/swift, and
# defines `swift_flags` (extra flags for swift build/test: `--scratch-path $SLUICE_SCRATCH_PATH` when set).

shopt -s inherit_errexit

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

if ! command -v swift >/dev/null 2>&1 && [ -d /opt/swift/usr/bin ]; then
    PATH="/opt/swift/usr/bin:$PATH"
    export PATH
fi

swift_flags=()
if [ -n "${SLUICE_SCRATCH_PATH:-}" ]; then
    swift_flags=(--scratch-path "$SLUICE_SCRATCH_PATH")
fi

# Builds the `sluice` executable (debug) and prints its path; fails when the build fails.
build_sluice() {
    local bin_dir
    swift build "${swift_flags[@]}" --product sluice >&2 || return 1
    bin_dir=$(swift build "${swift_flags[@]}" --show-bin-path) || return 1
    echo "$bin_dir/sluice"
}

# Builds the release sluice (what scripts/install.sh installs) and prints its path.
build_sluice_release() {
    local bin_dir
    swift build "${swift_flags[@]}" -c release --product sluice >&2 || return 1
    bin_dir=$(swift build "${swift_flags[@]}" -c release --show-bin-path) || return 1
    echo "$bin_dir/sluice"
}
