#include "hfbatch/dist/comm.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "hfbatch/core/error.h"

#ifdef HFBATCH_HAVE_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only (the C++ bindings are deprecated and need libmpi_cxx)
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace hfbatch::dist {

namespace {
constexpr int kTagRequest = 101, kTagUnit = 102;

[[maybe_unused]] int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}
}  // namespace

bool Comm::launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK");
}

bool Comm::built_with_mpi() {
#ifdef HFBATCH_HAVE_MPI
  return true;
#else
  return false;
#endif
}

Comm& Comm::world() {
  static Comm comm;
  return comm;
}

Comm::Comm() {
  if (!launched_by_mpi()) return;
#ifdef HFBATCH_HAVE_MPI
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  thread_multiple_ = provided >= MPI_THREAD_MULTIPLE;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  // Errors end the job instead of returning codes nobody checks.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  mpi_ = true;
#else
  // Launched by mpirun but built without MPI: every copy would think it is alone and write everything.
  const int n = env_int("OMPI_COMM_WORLD_SIZE", env_int("PMI_SIZE", 1));
  if (n > 1) {
    throw Error("launched by mpirun with " + std::to_string(n) +
                " ranks, but this hfbatch was built without MPI (install libopenmpi-dev and rebuild, or use --shard K/N)");
  }
#endif
}

std::string Comm::broadcast(const std::string& s) const {
  if (!mpi_) return s;
#ifdef HFBATCH_HAVE_MPI
  int64_t n = static_cast<int64_t>(s.size());
  MPI_Bcast(&n, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  std::string out = rank_ == 0 ? s : std::string(static_cast<size_t>(n), '\0');
  MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
  return out;
#else
  return s;
#endif
}

std::vector<std::string> Comm::gather(const std::string& s) const {
  if (!mpi_) return {s};
#ifdef HFBATCH_HAVE_MPI
  int n = static_cast<int>(s.size());
  std::vector<int> sizes(rank_ == 0 ? size_ : 0), displs(sizes.size());
  MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank_ == 0) {
    int total = 0;
    for (int i = 0; i < size_; ++i) {
      displs[i] = total;
      total += sizes[i];
    }
    all.resize(total);
  }
  MPI_Gatherv(s.data(), n, MPI_CHAR, all.data(), sizes.data(), displs.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (int i = 0; rank_ == 0 && i < size_; ++i) out.push_back(all.substr(displs[i], sizes[i]));
  return out;
#else
  return {s};
#endif
}

void Comm::barrier() const {
#ifdef HFBATCH_HAVE_MPI
  if (mpi_) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

void Comm::idle_barrier() const {
#ifdef HFBATCH_HAVE_MPI
  if (!mpi_) return;
  MPI_Request req;
  MPI_Ibarrier(MPI_COMM_WORLD, &req);
  for (int flag = 0;;) {
    MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (flag) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
#endif
}

void Comm::abort(int code) const {
#ifdef HFBATCH_HAVE_MPI
  if (mpi_ && size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

void Comm::finalize() {
#ifdef HFBATCH_HAVE_MPI
  if (mpi_ && !finalized_) MPI_Finalize();
#endif
  finalized_ = true;
}

int64_t Comm::request_unit() const {
#ifdef HFBATCH_HAVE_MPI
  if (mpi_) {
    int64_t unit = -1;
    int dummy = 0;
    MPI_Send(&dummy, 1, MPI_INT, 0, kTagRequest, MPI_COMM_WORLD);
    MPI_Recv(&unit, 1, MPI_INT64_T, 0, kTagUnit, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return unit;
  }
#endif
  throw Error("request_unit: not running under MPI");
}

void Comm::serve_units(const std::function<int64_t()>& next) const {
#ifdef HFBATCH_HAVE_MPI
  int done = 0;
  while (done < size_ - 1) {
    int dummy = 0, flag = 0;
    MPI_Status st;
    // Poll, sleeping in between: a blocking MPI_Recv busy-waits in OpenMPI and would take a core from
    // rank 0's own work (requests come once per unit, so a millisecond of latency is nothing).
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &st);
    if (!flag) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, &st);
    int64_t unit = next();
    if (unit < 0) ++done;
    MPI_Send(&unit, 1, MPI_INT64_T, st.MPI_SOURCE, kTagUnit, MPI_COMM_WORLD);
  }
#endif
}

}  // namespace hfbatch::dist
