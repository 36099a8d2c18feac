// Post-processors of tokenizer.json ("post_processor" field): add special tokens and set type ids.
// Reference: https://github.com/huggingface/tokenizers/tree/main/tokenizers/src/processors
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "hfbatch/tokenizer/tokenizer.h"
#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {


// One input sequence on its way through post-processing: ids and their type ids.
struct Sequence {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
};

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // Number of tokens process() adds for a single sequence / a pair (HF added_tokens(is_pair)).
  virtual int32_t added_tokens(bool pair) const = 0;
  // seqs: [A] or [A, B]; adds the special tokens to each sequence and rewrites type ids
  // (HF process_encodings). The caller concatenates the result.
  virtual void process(std::vector<Sequence>& seqs) const = 0;
  // Appends the special tokens and type ids it can emit, with the fields defining them.
  virtual void emitted(std::vector<EmittedToken>& out) const = 0;
};

// Supported: BertProcessing, RobertaProcessing, TemplateProcessing, ByteLevel (no-op for ids), Sequence.
std::unique_ptr<PostProcessor> make_post_processor(const json& j, const JsonAt& at);
// No post_processor in tokenizer.json: nothing added, A keeps type 0 and B type 1.
std::unique_ptr<PostProcessor> make_default_post_processor();

}  // namespace hfbatch::tokenizer
