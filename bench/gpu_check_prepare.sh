#!/usr/bin/env bash
# Run HERE (the build machine, Debian), before a device session: packs what bench/gpu_check.sh needs and the
# GPU machine lacks into .gpucarry/ (git-ignored through .git/info/exclude), to be named in the device tool's
# `carry`:
#   deps.tar.xz  headers + shared libraries of our C++ dependencies, as a prefix (include/, lib/,
#                lib/pkgconfig, lib/cmake): oneDNN (CPU reference GEMM), utf8proc, oniguruma, nlohmann_json,
#                GoogleTest. xz keeps libdnnl's 40 MB at ~8 MB (the tool carries 64 MiB with the tree).
#   data/        W-short and W-long texts as JSON lines (bench/make_workloads.py, seed 7) and the MiniLM
#                tokenizer files (the bert-base-uncased WordPiece vocabulary) for the random bert-base model.
# Then, on the device:  bash bench/gpu_check.sh   (with carry [".gpucarry"]; see docs/cuda.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
carry="$root/.gpucarry"
exclude="$(git rev-parse --git-path info/exclude)"
grep -qx '/.gpucarry/' "$exclude" 2>/dev/null || echo '/.gpucarry/' >> "$exclude"
rm -rf "$carry" && mkdir -p "$carry/data"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
p="$stage/deps"
# Debian's layout under the prefix, so that the CMake package files (which locate their prefix relative to
# themselves) stay valid: GoogleTest in lib/x86_64-linux-gnu, nlohmann_json in share/cmake.
mkdir -p "$p/include" "$p/lib/pkgconfig" "$p/lib/x86_64-linux-gnu/cmake" "$p/share/cmake"
lib=/usr/lib/x86_64-linux-gnu
cp -a /usr/include/dnnl*.h /usr/include/dnnl*.hpp /usr/include/oneapi /usr/include/nlohmann /usr/include/gtest \
      /usr/include/gmock /usr/include/onig*.h /usr/include/utf8proc.h "$p/include/"
cp -a "$lib"/libdnnl.so* "$lib"/libutf8proc.so* "$lib"/libonig.so* "$p/lib/"
cp -a "$lib"/libgtest.a "$lib"/libgtest_main.a "$lib"/libgmock.a "$lib"/libgmock_main.a "$p/lib/x86_64-linux-gnu/"
cp -a "$lib/cmake/GTest" "$p/lib/x86_64-linux-gnu/cmake/"
cp -a /usr/share/cmake/nlohmann_json "$p/share/cmake/"
for pc in libutf8proc oniguruma; do  # relocatable: the prefix is wherever the tarball is unpacked
  sed -e 's|^prefix=.*|prefix=${pcfiledir}/../..|' -e 's|^exec_prefix=.*|exec_prefix=${prefix}|' \
      -e 's|^libdir=.*|libdir=${prefix}/lib|' -e 's|^includedir=.*|includedir=${prefix}/include|' \
      "$lib/pkgconfig/$pc.pc" > "$p/lib/pkgconfig/$pc.pc"
done
tar -C "$stage" -cJf "$carry/deps.tar.xz" deps
# Texts: JSON lines, one string per row (hfbatch_gpu_bench reads them without Arrow).
wl="$stage/workloads"
.venv/bin/python bench/make_workloads.py --out "$wl" --no-profile >/dev/null
.venv/bin/python - "$wl" "$carry/data" <<'PY'
import json, sys, pathlib
import pyarrow.parquet as pq
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for name in ("w-short", "w-long"):
    texts = pq.read_table(src / f"{name}.parquet").column("text").to_pylist()
    with open(dst / f"{name}.jsonl", "w") as f:
        for t in texts:
            f.write(json.dumps(t) + "\n")
    print(f"{name}: {len(texts)} rows")
PY
minilm="$(bash scripts/default_model.sh)"
mkdir -p "$carry/data/tokenizer"
for f in tokenizer.json tokenizer_config.json vocab.txt special_tokens_map.json; do
  [ -f "$minilm/$f" ] && cp -L "$minilm/$f" "$carry/data/tokenizer/"
done
du -sh "$carry"/* "$carry"
