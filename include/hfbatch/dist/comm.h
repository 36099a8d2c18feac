// The process group of a job: MPI's COMM_WORLD when launched by mpirun (and MPI support was built), else a
// group of one. MPI_Init is called only when the environment says an MPI launcher started us
// (OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_RANK), so a plain `hfbatch classify` never initialises MPI.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hfbatch::dist {

class Comm {
 public:
  // The world group; initialises MPI on first use when launched by an MPI launcher.
  static Comm& world();
  // True when the environment says an MPI launcher started this process.
  static bool launched_by_mpi();
  static bool built_with_mpi();

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_size() const { return local_size_; }  // ranks on this node
  bool is_mpi() const { return mpi_; }
  bool thread_multiple() const { return thread_multiple_; }

  // Rank 0's string to every rank.
  std::string broadcast(const std::string& s) const;
  // Every rank's string to rank 0 (in rank order; empty vector elsewhere).
  std::vector<std::string> gather(const std::string& s) const;
  void barrier() const;
  // A barrier that sleeps while it waits: a rank that finished early must not spin (OpenMPI's blocking
  // calls busy-poll) on the cores its node's stragglers need.
  void idle_barrier() const;
  // Ends every rank of the job with `code` (MPI_Abort) — never returns. Without MPI: std::exit(code).
  [[noreturn]] void abort(int code) const;
  void finalize();

  // --dynamic: a worker asks rank 0 for its next unit (-1: no more).
  int64_t request_unit() const;
  // Rank 0: answers requests from the other size()-1 ranks with next() until each got -1.
  void serve_units(const std::function<int64_t()>& next) const;

 private:
  Comm();
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool mpi_ = false, thread_multiple_ = false, finalized_ = false;
};

}  // namespace hfbatch::dist
