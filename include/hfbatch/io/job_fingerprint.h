// The fingerprint of a job: everything that changes what its parts contain — task, model and tokenizer
// files (name, size, content hash), columns, max length, dtype, prediction prefix, padding, labels. It is
// saved in <out>/_plan.json; --resume, a sibling --shard and every MPI rank compare theirs with it and refuse
// to add parts of another job to the folder.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "hfbatch/io/job.h"

namespace hfbatch::io {

// A JSON object, one member per field (see job_fingerprint.cc for the fields). Reads and hashes the files of
// the model and tokenizer folders the job uses.
nlohmann::json job_fingerprint(const JobOptions& options, const UnitWorker& worker);

// "" when `now` describes the same job as `saved`, else the first field that differs, named with its two
// values, e.g. "max_length differs (the output has 128, this run 64)" or
// "model file 'config.json' differs (its content changed)".
std::string fingerprint_difference(const nlohmann::json& saved, const nlohmann::json& now);

}  // namespace hfbatch::io
