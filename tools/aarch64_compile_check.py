#!/usr/bin/env python3
"""Compiles every engine source (src/, python/src/) for aarch64 with clang, from the x86-64 build's compile_commands.json:
the check that the code still builds for Arm servers (where many Spark clusters run) without an Arm
machine. It stops at object code (no Arm Arrow/oneDNN libraries to link against here).

Needs clang and the Arm64 libstdc++ headers: apt-get install clang libstdc++-12-dev-arm64-cross
    bash scripts/build.sh && python3 tools/aarch64_compile_check.py
"""
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    db = ROOT / "build/compile_commands.json"
    if not db.exists():
        sys.exit(f"{db} not found: run bash scripts/build.sh first")
    if not Path("/usr/aarch64-linux-gnu/include/c++").exists():
        sys.exit("no Arm64 C++ headers: apt-get install libstdc++-12-dev-arm64-cross")
    failed, count = 0, 0
    for entry in json.loads(db.read_text()):
        src = entry["file"]
        if not any(src.startswith(str(ROOT / d) + os.sep) for d in ("src", "python/src")):
            continue  # the engine and its Python binding (not tests, benchmarks or third-party sources)
        args = shlex.split(entry["command"])[1:]
        cmd = ["clang++", "--target=aarch64-linux-gnu", "-c", "-o", os.devnull, "-Wno-unused-command-line-argument"]
        it = iter(args)
        for a in it:
            if a in ("-o", "-MF", "-MT"):
                next(it)  # the x86 build's outputs
            elif a == "-c" or a == src or a.startswith("-m"):
                continue  # -march / -mavx2 ...: x86 only (the x86 kernels compile to stubs on Arm)
            else:
                cmd.append("-fopenmp" if a.startswith("-fopenmp") else a)
        count += 1
        r = subprocess.run(cmd + [src], cwd=entry["directory"], capture_output=True, text=True)
        if r.returncode:
            failed += 1
            print(f"FAIL {src}\n{r.stderr[:2000]}")
    print(f"aarch64: {count} files compiled, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
