#!/usr/bin/env bash
# Builds the libFuzzer targets under ASan + UBSan with clang (Debian: clang, libclang-rt-14-dev, installed by
# scripts/install_deps.sh) into build-fuzz/, and optionally runs them; exits non-zero on a crash.
#   tests/fuzz/build.sh                       build all targets
#   tests/fuzz/build.sh run SECONDS [TARGET]  build, then run each target (or only TARGET) for SECONDS on a
#                                             copy of its seed corpus
# Crashes land in build-fuzz/artifacts/. Seed corpora: tests/fuzz/corpus/<target>/; dictionaries:
# tests/fuzz/<target>.dict. The project's sources are compiled once per layer into build-fuzz/obj/<layer>/
# (rebuilt when the source or any header is newer), with coverage instrumentation (-fsanitize=fuzzer-no-link);
# Arrow/Parquet come uninstrumented from the pyarrow wheel in .venv, as in the main build
# (cmake/ArrowFromPyarrow.cmake), linked with an rpath.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/build-fuzz"
CXX="${CXX_FUZZ:-clang++}"
PYTHON="${HFBATCH_PYTHON:-$ROOT/.venv/bin/python}"
mkdir -p "$OUT/obj" "$OUT/artifacts"
FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -I"$ROOT/include" -I"$ROOT/src" -DHFBATCH_SOURCE_DIR="\"$ROOT\"" $(pkg-config --cflags oniguruma libutf8proc))
TOKENIZER_LIBS=($(pkg-config --libs oniguruma libutf8proc))
# Arrow/Parquet headers and libraries of the pyarrow wheel (the unversioned .so links are made by the main
# CMake configure; make them here too when only the fuzzers are built).
read -r PA_INCLUDE PA_LIBDIR < <("$PYTHON" - <<'EOF'
import glob, os, re, pyarrow
d = pyarrow.get_library_dirs()[0]
for p in glob.glob(os.path.join(d, 'lib*.so.*')):
    link = re.sub(r'\.so\.[0-9]+$', '.so', p)
    if link != p and os.path.realpath(link) != os.path.realpath(p):
        if os.path.lexists(link): os.remove(link)
        os.symlink(os.path.basename(p), link)
print(pyarrow.get_include(), d)
EOF
)
ARROW_LIBS=(-L"$PA_LIBDIR" -Wl,-rpath,"$PA_LIBDIR" -lparquet -larrow)
MODEL_LIBS=(-ldnnl -fopenmp -lpthread)
# ccache (when installed) makes the rebuild after a header change cheap: every object depends on all headers.
COMPILE=("$CXX")
command -v ccache >/dev/null && COMPILE=(ccache "$CXX")

# background COMMAND...: runs it as a job, at most FUZZ_JOBS (default: the cores) at a time; a failure is
# recorded in $OUT/failed (checked by finish), so that no job status has to be collected by pid.
rm -f "$OUT/failed"
running=0
background() {
  if ((running >= ${FUZZ_JOBS:-$(nproc)})); then
    wait -n || true
    running=$((running - 1))
  fi
  { "$@" || touch "$OUT/failed"; } &
  running=$((running + 1))
}
finish() {
  wait
  running=0
  if [[ -f "$OUT/failed" ]]; then
    echo "tests/fuzz/build.sh: a compile or link step failed (see above)" >&2
    exit 1
  fi
}
# compile LAYER [FILE...]: objects of src/LAYER (all its .cc, or the FILEs named) into build-fuzz/obj/LAYER/,
# appended to the global array `objs`; stale ones compile in the background (FUZZ_JOBS at a time).
compile() {
  local layer="$1"
  shift
  local srcs=("$@")
  ((${#srcs[@]})) || srcs=("$ROOT/src/$layer"/*.cc)
  mkdir -p "$OUT/obj/$layer"
  for src in "${srcs[@]}"; do
    [[ "$src" == /* ]] || src="$ROOT/src/$layer/$src"
    local o="$OUT/obj/$layer/$(basename "${src%.cc}").o"
    objs+=("$o")
    if [[ ! -f "$o" || "$src" -nt "$o" ||
          -n "$(find "$ROOT/include" "$ROOT/src" -newer "$o" \( -name '*.h' -o -name '*.inc' \) | head -1)" ]]; then
      local extra=()
      case "$layer/$(basename "$src")" in
        io/*) extra=(-I"$PA_INCLUDE") ;;
        cpu/vec_math_avx2.cc) extra=(-mavx2 -mfma -fopenmp -DHFBATCH_GEMM_ONEDNN=1) ;;
        cpu/vec_math_avx512.cc) extra=(-mavx512f -mavx2 -mfma -fopenmp -DHFBATCH_GEMM_ONEDNN=1) ;;
        cpu/* | ops/*) extra=(-fopenmp -DHFBATCH_GEMM_ONEDNN=1) ;;
      esac
      background "${COMPILE[@]}" "${FLAGS[@]}" "${extra[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$o"
    fi
  done
}

objs=()
compile core
core_objs=("${objs[@]}")
objs=()
compile hf
hf_objs=("${objs[@]}")
objs=()
compile tokenizer
tokenizer_objs=("${objs[@]}")
objs=()
compile cpu
compile cuda device_stub.cc  # the CUDA API without CUDA (models/cuda_placement.cc calls it)
compile ops
compile models
model_objs=("${objs[@]}")
objs=()
compile io parquet_source.cc text_column.cc token_columns.cc
io_objs=("${objs[@]}")
finish

# target: the objects and libraries it links.
TARGETS=(fuzz_tokenizer_load fuzz_tokenizer_encode fuzz_tokenizer_folder fuzz_spm_model fuzz_safetensors
         fuzz_torch_checkpoint fuzz_config fuzz_parquet_text)
link() {
  local t="$1"
  shift
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "$ROOT/tests/fuzz/$t.cc" "$@" -o "$OUT/$t"
}
for t in "${TARGETS[@]}"; do
  case "$t" in
    fuzz_tokenizer_*|fuzz_spm_model) background link "$t" "${tokenizer_objs[@]}" "${hf_objs[@]}" "${core_objs[@]}" "${TOKENIZER_LIBS[@]}" ;;
    fuzz_safetensors|fuzz_torch_checkpoint) background link "$t" "${hf_objs[@]}" "${core_objs[@]}" ;;
    fuzz_config) background link "$t" "${model_objs[@]}" "${hf_objs[@]}" "${core_objs[@]}" "${MODEL_LIBS[@]}" ;;
    fuzz_parquet_text) background link "$t" -I"$PA_INCLUDE" "${io_objs[@]}" "${core_objs[@]}" "${ARROW_LIBS[@]}" ;;
  esac
done
finish
echo "built ${TARGETS[*]} in $OUT"

if [[ "${1:-}" == run ]]; then
  secs="${2:-30}"
  for t in "${TARGETS[@]}"; do
    [[ -z "${3:-}" || "$3" == "$t" ]] || continue
    mkdir -p "$OUT/corpus/$t"
    cp -n "$ROOT/tests/fuzz/corpus/$t"/* "$OUT/corpus/$t/" 2>/dev/null || true
    extra=()
    [[ -f "$ROOT/tests/fuzz/$t.dict" ]] && extra+=(-dict="$ROOT/tests/fuzz/$t.dict")
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$OUT/$t" -max_total_time="$secs" -max_len=16384 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$OUT/artifacts/$t-" "${extra[@]}" "$OUT/corpus/$t"
  done
fi
