# Third-party dependencies. All come from Debian packages (scripts/install_deps.sh) except Arrow/Parquet,
# which come from the pyarrow wheel in .venv (see ArrowFromPyarrow.cmake).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(utf8proc REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(onig REQUIRED IMPORTED_TARGET oniguruma)
# HFBATCH_ARROW=OFF leaves Arrow/Parquet out and with them io, dist, the CLI and the Python module: what is
# left (core … runtime, the GPU op tests and bench/gpu_bench) builds where no pyarrow is (bench/gpu_check.sh).
option(HFBATCH_ARROW "Build the Parquet I/O layers, the CLI and the Python module (needs pyarrow)" ON)
if(HFBATCH_ARROW)
  include(ArrowFromPyarrow)
endif()

# GEMM: oneDNN (dnnl_sgemm, OpenMP) by default — chosen by measurement, see docs/gemm.md — or OpenBLAS.
set(HFBATCH_GEMM "onednn" CACHE STRING "CPU GEMM library: onednn or openblas")
set_property(CACHE HFBATCH_GEMM PROPERTY STRINGS onednn openblas)
add_library(hfbatch::blas INTERFACE IMPORTED)
if(HFBATCH_GEMM STREQUAL "onednn")
  find_package(OpenMP REQUIRED COMPONENTS CXX)
  find_path(DNNL_INCLUDE_DIR dnnl.h REQUIRED)
  find_library(DNNL_LIBRARY NAMES dnnl REQUIRED)
  target_include_directories(hfbatch::blas INTERFACE "${DNNL_INCLUDE_DIR}")
  target_link_libraries(hfbatch::blas INTERFACE "${DNNL_LIBRARY}" OpenMP::OpenMP_CXX)
  target_compile_definitions(hfbatch::blas INTERFACE HFBATCH_GEMM_ONEDNN=1)
elseif(HFBATCH_GEMM STREQUAL "openblas")
  find_path(OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas-pthread openblas REQUIRED)
  find_library(OPENBLAS_LIBRARY NAMES openblas REQUIRED)
  target_include_directories(hfbatch::blas INTERFACE "${OPENBLAS_INCLUDE_DIR}")
  target_link_libraries(hfbatch::blas INTERFACE "${OPENBLAS_LIBRARY}")
else()
  message(FATAL_ERROR "HFBATCH_GEMM must be onednn or openblas, not '${HFBATCH_GEMM}'")
endif()
message(STATUS "GEMM: ${HFBATCH_GEMM}")
