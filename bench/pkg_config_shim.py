#!/usr/bin/env python3
"""A minimal pkg-config for bench/gpu_check.sh on a machine without one: answers what CMake's FindPkgConfig asks
(--version, --exists, --modversion, --cflags[-only-I|-only-other], --libs[-only-l|-only-L|-only-other],
--variable=NAME, --print-errors, --short-errors) from the .pc files on PKG_CONFIG_PATH. No Requires handling
(utf8proc and oniguruma have none)."""
import os
import re
import sys


def load(name):
    for d in os.environ.get("PKG_CONFIG_PATH", "").split(os.pathsep):
        path = os.path.join(d, name + ".pc")
        if d and os.path.exists(path):
            break
    else:
        return None
    vars_, fields = {"pcfiledir": os.path.dirname(os.path.abspath(path))}, {}
    expand = lambda s: re.sub(r"\$\{(\w+)\}", lambda m: vars_.get(m.group(1), ""), s)  # noqa: E731
    for line in open(path):
        line = line.strip()
        if m := re.match(r"^(\w+)=(.*)$", line):
            vars_[m.group(1)] = expand(m.group(2))
        elif m := re.match(r"^([\w.]+):\s*(.*)$", line):
            fields[m.group(1).lower()] = expand(m.group(2))
    return vars_, fields


def main(argv):
    flags = [a for a in argv if a.startswith("--")]
    names = [re.split(r"[<>=\s]", a)[0] for a in argv if not a.startswith("--") and a.strip()]
    if "--version" in flags:
        print("0.29.2")
        return 0
    out = []
    for n in names:
        pc = load(n)
        if pc is None:
            if "--print-errors" in flags or "--short-errors" in flags:
                print(f"Package {n} was not found", file=sys.stderr)
            return 1
        vars_, fields = pc
        cflags, libs = fields.get("cflags", "").split(), fields.get("libs", "").split()
        for f in flags:
            if f == "--modversion":
                out.append(fields.get("version", ""))
            elif f.startswith("--variable="):
                out.append(vars_.get(f.split("=", 1)[1], ""))
            elif f == "--cflags":
                out += cflags
            elif f == "--cflags-only-I":
                out += [c for c in cflags if c.startswith("-I")]
            elif f == "--cflags-only-other":
                out += [c for c in cflags if not c.startswith("-I")]
            elif f == "--libs":
                out += libs
            elif f == "--libs-only-l":
                out += [c for c in libs if c.startswith("-l")]
            elif f == "--libs-only-L":
                out += [c for c in libs if c.startswith("-L")]
            elif f == "--libs-only-other":
                out += [c for c in libs if not c.startswith(("-l", "-L"))]
    if out:
        print(" ".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
