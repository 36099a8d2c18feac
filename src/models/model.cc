#include "hfbatch/core/error.h"
#include "hfbatch/models/model.h"

namespace hfbatch::models {

void TokenBatch::add(const std::vector<int32_t>& seq_ids, const std::vector<int32_t>& seq_type_ids) {
  check(seq_type_ids.empty() || seq_type_ids.size() == seq_ids.size(),
        "TokenBatch::add: type_ids and ids differ in length");
  // type_ids stay empty (= all zeros) until a sequence brings some.
  if (!seq_type_ids.empty() && type_ids.size() < ids.size()) type_ids.resize(ids.size(), 0);
  ids.insert(ids.end(), seq_ids.begin(), seq_ids.end());
  if (!seq_type_ids.empty()) {
    type_ids.insert(type_ids.end(), seq_type_ids.begin(), seq_type_ids.end());
  } else if (!type_ids.empty()) {
    type_ids.resize(ids.size(), 0);
  }
  offsets.push_back(static_cast<int32_t>(ids.size()));
}

}  // namespace hfbatch::models
