"""What the scripts that check rendered files share: one line per file, exit 1 when any file fails."""
import sys


def main(doc, arguments, check):
    """Runs `check(path)` on each path; it returns (passed, verdict), printed as `PATH: verdict`.

    Without paths, prints `doc` and returns 2.
    """
    if not arguments:
        print(doc.strip(), file=sys.stderr)
        return 2
    status = 0
    for path in arguments:
        passed, verdict = check(path)
        if not passed:
            status = 1
        print(f"{path}: {verdict}")
    return status
