"""The `hfbatch` console script: runs the CLI binary that the wheel carries (hfbatch/bin/hfbatch, built by
scripts/build_wheel.sh; docs/packaging.md) with the same arguments, exit status and signals."""
from __future__ import annotations

import os
import sys


def binary() -> str:
    """Path of the bundled CLI (it finds pyarrow's libarrow through its RUNPATH, so pyarrow is not imported)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "hfbatch")


def main() -> None:
    exe = binary()
    if not os.access(exe, os.X_OK):
        sys.stderr.write(f"hfbatch: error: {exe}: this install has no CLI binary (only the wheel built by "
                         "scripts/build_wheel.sh carries it; from a checkout use build/bin/hfbatch)\n")
        sys.exit(2)
    # exec: the binary replaces this process, so signals (SIGTERM from Spark/YARN, Ctrl-C) reach it directly.
    os.execv(exe, [exe] + sys.argv[1:])


if __name__ == "__main__":
    main()
