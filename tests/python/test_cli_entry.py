"""The `hfbatch` console script (hfbatch/_cli.py): runs the CLI binary the wheel carries
(scripts/build_wheel.sh; tests/packaging/test_wheel.py runs it in a clean root), and says so in one
`hfbatch: error:` line, exit 2, where the install has none (a `pip install .` from a checkout)."""
import os
import subprocess
import sys

import hfbatch._cli


def test_runs_the_bundled_binary_or_says_it_is_missing():
    proc = subprocess.run([sys.executable, "-m", "hfbatch._cli", "--version"], capture_output=True, text=True,
                          timeout=60)
    if os.access(hfbatch._cli.binary(), os.X_OK):
        assert proc.returncode == 0 and proc.stdout.startswith("hfbatch "), proc
    else:
        print(f"no bundled binary at {hfbatch._cli.binary()} (a checkout install): checking the error")
        assert proc.returncode == 2 and proc.stdout == ""
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("hfbatch: error: ") and "no CLI binary" in lines[0], proc.stderr
