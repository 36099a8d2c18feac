// libFuzzer target: a Parquet input file through the job's reader (io::ParquetSource on a file in a temporary
// folder, then text_values / token_rows on every chunk, as the classify/embed/tokenize stages read them).
// Byte 0 picks the column selection and chunking:
//   bit 0: --keep-all; bit 1: a pair column "pair"; bit 2: pre-tokenized input ("input_ids" +
//   "attention_mask") instead of the text column "text"; bit 3: a row range [1, num_rows) instead of the
//   whole file; bits 4-7: chunk rows - 1.
// The rest is the file. Every step must succeed or throw a one-line hfbatch::Error; chunks must hold the
// selected columns with the row counts the footer promised. Arrow itself is not instrumented.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_util.h"
#include "hfbatch/core/error.h"
#include "hfbatch/io/parquet_source.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/io/token_columns.h"

using namespace hfbatch;

// Arrow's buffers come from malloc (not the wheel's jemalloc/mimalloc pool), so that ASan sees the bounds
// of what our code reads from the arrays.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("ARROW_DEFAULT_MEMORY_POOL", "system", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const auto file = fuzz::temp_dir() / "input.parquet";
  fuzz::write_file(file, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  io::ColumnSelection sel;
  sel.keep_all = mode & 1;
  const bool tokens = mode & 4;
  if (tokens) {
    sel.ids_column = "input_ids";
    sel.mask_column = "attention_mask";
  } else {
    sel.text_column = "text";
    if (mode & 2) sel.pair_column = "pair";
  }
  const int64_t chunk_rows = (mode >> 4) + 1;
  try {
    const int64_t rows = io::parquet_num_rows(file);
    const bool range = (mode & 8) && rows > 0;
    io::ParquetSource source = range ? io::ParquetSource(file, sel, chunk_rows, 1, rows)
                                     : io::ParquetSource(file, sel, chunk_rows);
    fuzz::require(source.num_rows() == rows);
    int64_t seen = 0;
    for (int chunks = 0; chunks < 10000; ++chunks) {
      const auto batch = source.next();
      if (!batch) break;
      fuzz::require(batch->num_rows() <= chunk_rows);
      if (tokens) {
        const io::TokenColumns cols{"input_ids", "attention_mask", std::nullopt};
        io::TokenRowLimits limits;
        limits.vocab_size = 1000;
        const auto out = io::token_rows(*batch, cols, file.string(), seen, limits);
        fuzz::require(static_cast<int64_t>(out.size()) == batch->num_rows());
      } else {
        for (const char* c : {"text", "pair"}) {
          const auto column = batch->GetColumnByName(c);
          if (!column) {
            fuzz::require(std::string_view(c) == "pair" && !sel.pair_column);
            continue;
          }
          const auto values = io::text_values(*column);
          fuzz::require(static_cast<int64_t>(values.size()) == batch->num_rows());
          size_t bytes = 0;
          for (const auto& v : values) bytes += v ? v->size() : 0;
          (void)bytes;
        }
      }
      seen += batch->num_rows();
    }
    fuzz::require(seen <= rows);
  } catch (const Error& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
