# Finds Arrow + Parquet C++. A system Arrow (find_package(Arrow/Parquet)) wins when present; otherwise the
# libraries and headers bundled in the pyarrow wheel are used, as Arrow documents for extension builds
# (pyarrow.get_include(), get_library_dirs(), create_library_symlinks()). The binary gets an RPATH to the
# wheel's folder so it runs without environment variables.
# Defines the imported targets hfbatch::arrow and hfbatch::parquet.

find_package(Arrow CONFIG QUIET)
find_package(Parquet CONFIG QUIET)
if(Arrow_FOUND AND Parquet_FOUND)
  message(STATUS "Arrow: system package ${Arrow_VERSION}")
  add_library(hfbatch::arrow INTERFACE IMPORTED)
  target_link_libraries(hfbatch::arrow INTERFACE Arrow::arrow_shared)
  add_library(hfbatch::parquet INTERFACE IMPORTED)
  target_link_libraries(hfbatch::parquet INTERFACE Parquet::parquet_shared)
  return()
endif()

if(NOT HFBATCH_PYTHON)
  set(HFBATCH_PYTHON "${CMAKE_SOURCE_DIR}/.venv/bin/python")
endif()
# The unversioned libarrow.so -> libarrow.so.NNNN links the linker needs. Relative targets (not
# pyarrow.create_library_symlinks(), which writes absolute ones through whatever path reached the venv and
# fails on a dangling one left by a removed worktree).
set(_pa_links "import glob, os, re, pyarrow\nfor p in glob.glob(os.path.join(pyarrow.get_library_dirs()[0], 'lib*.so.*')):\n    link = re.sub(r'\\.so\\.[0-9]+$', '.so', p)\n    if link != p and os.path.realpath(link) != os.path.realpath(p):\n        if os.path.lexists(link): os.remove(link)\n        os.symlink(os.path.basename(p), link)\n")
execute_process(
  COMMAND "${HFBATCH_PYTHON}" -c
    "${_pa_links}import pyarrow as pa; print(pa.get_include()); print(pa.get_library_dirs()[0]); print(pa.__version__)"
  OUTPUT_VARIABLE _pa_out RESULT_VARIABLE _pa_rc ERROR_VARIABLE _pa_err OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _pa_rc EQUAL 0)
  message(FATAL_ERROR "Arrow not found: no system Arrow and `${HFBATCH_PYTHON} -c 'import pyarrow'` failed "
                      "(run scripts/install_deps.sh first): ${_pa_err}")
endif()
string(REPLACE "\n" ";" _pa_lines "${_pa_out}")
list(GET _pa_lines 0 PYARROW_INCLUDE_DIR)
list(GET _pa_lines 1 PYARROW_LIBRARY_DIR)
list(GET _pa_lines 2 PYARROW_VERSION)
message(STATUS "Arrow: from the pyarrow ${PYARROW_VERSION} wheel at ${PYARROW_LIBRARY_DIR}")

foreach(_lib arrow parquet)
  find_library(_path_${_lib} NAMES ${_lib} PATHS "${PYARROW_LIBRARY_DIR}" NO_DEFAULT_PATH REQUIRED)
  add_library(hfbatch::${_lib} SHARED IMPORTED)
  set_target_properties(hfbatch::${_lib} PROPERTIES
    IMPORTED_LOCATION "${_path_${_lib}}"
    INTERFACE_INCLUDE_DIRECTORIES "${PYARROW_INCLUDE_DIR}")
endforeach()
target_link_libraries(hfbatch::parquet INTERFACE hfbatch::arrow)
# Everything we build may load these at run time.
list(APPEND CMAKE_BUILD_RPATH "${PYARROW_LIBRARY_DIR}")
list(APPEND CMAKE_INSTALL_RPATH "${PYARROW_LIBRARY_DIR}")
