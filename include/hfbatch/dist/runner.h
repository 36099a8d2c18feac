// Runs a job over work units (sharding.h) in one process, in N copies started by any scheduler
// (--shard K/N), or over the ranks of an MPI job (mpirun -np N), with the commit protocol of
// docs/distributed.md: every unit's part is written under _temporary/ and renamed when complete; the
// manifest and _SUCCESS are written last, once, by rank 0 (MPI) or by the shard that finds every shard's
// report present (--shard), after checking that every unit is committed and rows out == rows in.
#pragma once
#include <cstdint>

#include "hfbatch/dist/comm.h"
#include "hfbatch/io/job.h"

namespace hfbatch::dist {

struct DistOptions {
  int32_t shard = -1, shards = 0;  // --shard K/N; shards == 0: not sharded by a scheduler
  bool dynamic = false;            // --dynamic: rank 0 hands out units on demand (MPI only)
  bool resume = false;             // --resume: skip committed units
};

struct RunResult {
  io::JobSummary summary;  // the whole job's on the committing process, this process's otherwise
  bool committed = false;  // this process wrote _manifest.json + _SUCCESS
  bool leader = true;      // prints the job's summary (rank 0, or a shard)
  std::string note;        // e.g. "shard 1/3 done; waiting for 2 more"
};

// Throws hfbatch::Error; under MPI the caller turns an error on any rank into comm.abort().
RunResult run_job(const io::JobOptions& options, const DistOptions& dist, Comm& comm);

}  // namespace hfbatch::dist
