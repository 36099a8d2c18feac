#!/usr/bin/env bash
# Builds the tokenizer libFuzzer targets under ASan + UBSan with clang (Debian: clang, libclang-rt-14-dev,
# installed by scripts/install_deps.sh) into build-fuzz/, and optionally runs them; exits non-zero on a crash.
#   tests/fuzz/build.sh                 build only
#   tests/fuzz/build.sh run SECONDS     build, then run each target for SECONDS on a copy of its seed corpus
# Crashes land in build-fuzz/artifacts/. Seed corpora: tests/fuzz/corpus/<target>/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/build-fuzz"
CXX="${CXX_FUZZ:-clang++}"
mkdir -p "$OUT/obj" "$OUT/artifacts"
FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -I"$ROOT/include" -I"$ROOT/src" -DHFBATCH_SOURCE_DIR="\"$ROOT\"" $(pkg-config --cflags oniguruma libutf8proc))
LIBS=($(pkg-config --libs oniguruma libutf8proc))
objs=()
pids=()
for src in "$ROOT"/src/tokenizer/*.cc; do
  o="$OUT/obj/$(basename "${src%.cc}").o"
  objs+=("$o")
  if [[ ! -f "$o" || "$src" -nt "$o" || -n "$(find "$ROOT/src/tokenizer" "$ROOT/include/hfbatch/tokenizer" -newer "$o" -name '*.h' -o -newer "$o" -name '*.inc' | head -1)" ]]; then
    "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$o" &
    pids+=($!)
    if (( ${#pids[@]} >= ${FUZZ_JOBS:-$(nproc)} )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done
for t in fuzz_tokenizer_load fuzz_tokenizer_encode; do
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "$ROOT/tests/fuzz/$t.cc" "${objs[@]}" "${LIBS[@]}" -o "$OUT/$t"
done
echo "built $OUT/fuzz_tokenizer_load $OUT/fuzz_tokenizer_encode"
if [[ "${1:-}" == run ]]; then
  secs="${2:-30}"
  for t in fuzz_tokenizer_load fuzz_tokenizer_encode; do
    mkdir -p "$OUT/corpus/$t"
    cp -n "$ROOT/tests/fuzz/corpus/$t"/* "$OUT/corpus/$t/" 2>/dev/null || true
    extra=()
    [[ -f "$ROOT/tests/fuzz/$t.dict" ]] && extra+=(-dict="$ROOT/tests/fuzz/$t.dict")
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$OUT/$t" -max_total_time="$secs" -max_len=16384 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$OUT/artifacts/$t-" "${extra[@]}" "$OUT/corpus/$t"
  done
fi
