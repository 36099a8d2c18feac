# Third-party dependencies. All come from Debian packages (scripts/install_deps.sh) except Arrow/Parquet,
# which come from the pyarrow wheel in .venv (see ArrowFromPyarrow.cmake).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(utf8proc REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(onig REQUIRED IMPORTED_TARGET oniguruma)
include(ArrowFromPyarrow)

# BLAS: OpenBLAS (pthreads) through CBLAS; chosen by measurement, see docs/gemm.md.
find_path(OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas-pthread openblas REQUIRED)
find_library(OPENBLAS_LIBRARY NAMES openblas REQUIRED)
add_library(hfbatch::blas INTERFACE IMPORTED)
target_include_directories(hfbatch::blas INTERFACE "${OPENBLAS_INCLUDE_DIR}")
target_link_libraries(hfbatch::blas INTERFACE "${OPENBLAS_LIBRARY}")
