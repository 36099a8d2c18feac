// Regressions found by the file-format fuzz targets (tests/fuzz, issue 12 "Fuzzing every parser"): each test
// is the minimal form of a crashing input, loaded through the same entry point as the target.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/safetensors.h"
#include "hfbatch/hf/torch_checkpoint.h"
#include "hfbatch/io/parquet_source.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/tokenizer/padding.h"
#include "hfbatch/tokenizer/tokenizer.h"

#include "test_util.h"

namespace fs = std::filesystem;
using namespace hfbatch;
using hfbatch::test::error_of;
using hfbatch::test::TempDir;

namespace {

std::string le_bytes(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>(v >> (8 * i) & 0xff);
  return s;
}

io::ColumnSelection text_selection() {
  io::ColumnSelection sel;
  sel.text_column = "text";
  return sel;
}

}  // namespace

// fuzz_torch_checkpoint: names and values read from the archive (entry names, tensor names, byteorder) were
// echoed raw, so a newline in one made a two-line error. They are escaped now.
TEST(FuzzRegressions, ZipTextInErrorsStaysOnOneLine) {
  TempDir dir;
  std::string bin = test::read(fs::path(HFBATCH_SOURCE_DIR) / "tests/fixtures/torch/views.bin");
  const size_t at = bin.find("little");
  ASSERT_NE(at, std::string::npos);
  bin.replace(at, 6, "lit\nle");  // the byteorder entry, same length
  test::write(dir.path / "pytorch_model.bin", bin);
  const std::string e = error_of([&] { hf::TorchCheckpoint c(dir.path / "pytorch_model.bin"); });
  EXPECT_NE(e.find("byteorder 'lit\\nle' is not supported"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

// fuzz_safetensors: an empty F32 tensor at an unaligned offset took the copy path with a null destination
// (an empty tensor has no buffer): memcpy(nullptr, src, 0), undefined behaviour reported by UBSan.
TEST(FuzzRegressions, EmptyUnalignedF32TensorLoads) {
  TempDir dir;
  nlohmann::json h = {{"x", {{"dtype", "U8"}, {"shape", {3}}, {"data_offsets", {0, 3}}}},
                      {"y", {{"dtype", "F32"}, {"shape", {0, 4}}, {"data_offsets", {3, 3}}}}};
  std::string header = h.dump();
  header.append((8 - header.size() % 8) % 8, ' ');
  test::write(dir.path / "model.safetensors", le_bytes(header.size(), 8) + header + "abc");
  hf::SafetensorsFile f(dir.path / "model.safetensors");
  const core::Tensor t = f.load_f32(*f.find("y"));
  EXPECT_EQ(t.numel(), 0);
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{0, 4}));
}

// fuzz_safetensors: a dimension after a 0 escaped the element-count bound (the count stays 0), so
// 18446744073709551615 became -1 in the int64 shape, a wildcard to the shape checks.
TEST(FuzzRegressions, SafetensorsDimensionBeyondInt64AfterAZero) {
  TempDir dir;
  std::string header = R"({"w":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  test::write(dir.path / "model.safetensors", le_bytes(header.size(), 8) + header);
  EXPECT_NE(error_of([&] { hf::SafetensorsFile f(dir.path / "model.safetensors"); }).find("w: corrupt shape [0,18446744073709551615]"),
            std::string::npos);
}

// fuzz_parquet_text: Arrow's Thrift decoding error ends with a newline ("Couldn't deserialize thrift:
// TProtocolException: Invalid data\n"), which went into the message as is: a two-line error.
TEST(FuzzRegressions, ParquetFooterErrorStaysOnOneLine) {
  const fs::path file = fs::path(HFBATCH_SOURCE_DIR) / "tests/fuzz/regressions/thrift_error.parquet";
  for (const auto& read : std::vector<std::function<void()>>{
           [&] { io::parquet_num_rows(file); },
           [&] { io::ParquetSource(file, text_selection(), 16); }}) {
    const std::string e = error_of(read);
    EXPECT_NE(e.find("not a readable Parquet file"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

// fuzz_parquet_text (CI smoke run): a column name holding a newline ("in\nput_ids") was echoed into the
// "no column ...; columns are: ..." error, which then spanned two lines.
TEST(FuzzRegressions, ColumnNamesInErrorsStayOnOneLine) {
  const fs::path file = fs::path(HFBATCH_SOURCE_DIR) / "tests/fuzz/regressions/column_name_newline.parquet";
  const std::string e = error_of([&] { io::ParquetSource(file, text_selection(), 16); });
  EXPECT_NE(e.find("no column 'text'"), std::string::npos) << e;
  EXPECT_NE(e.find("in\\nput_ids"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

// fuzz_parquet_text: a footer saying num_rows -5 over a row group of 4 rows was believed (the job plans its
// units and row ranges from it) while the reader returned the 4 rows. The count is checked now.
TEST(FuzzRegressions, ParquetFooterRowCountMustMatchItsRowGroups) {
  const fs::path file = fs::path(HFBATCH_SOURCE_DIR) / "tests/fuzz/regressions/negative_num_rows.parquet";
  for (const auto& read : std::vector<std::function<void()>>{
           [&] { io::parquet_num_rows(file); },
           [&] { io::ParquetSource(file, text_selection(), 16); }}) {
    EXPECT_NE(error_of(read).find("corrupt Parquet footer: num_rows -5 but its row groups hold 4 rows"), std::string::npos)
        << error_of(read);
  }
}

// fuzz_tokenizer_folder: tokenizer_config.json values that nlohmann refuses while reading (a number beyond
// double) or converting (a number where the AddedToken flag is a bool) escaped as nlohmann exceptions, not
// hfbatch::Error: the CLI could not name the file, the Python binding saw an unknown exception.
// fuzz_parquet_text (10-minute run): a corrupt page decoded into a dictionary<string> text column whose
// indices lie outside its dictionary; text_values read past the buffer (ASan heap-buffer-overflow). The
// reader now checks a text column's indices and offsets as it reads each chunk.
TEST(FuzzRegressions, ParquetTextIndicesOutsideTheDictionary) {
  const fs::path file = fs::path(HFBATCH_SOURCE_DIR) / "tests/fuzz/regressions/dictionary_index_outside.parquet";
  const std::string e = error_of([&] {
    io::ParquetSource source(file, text_selection(), 2);
    while (auto chunk = source.next()) io::text_values(*chunk->GetColumnByName("text"));
  });
  EXPECT_NE(e.find("column 'text': corrupt string data: dictionary index 94 of row 1 outside its 2 entries"),
            std::string::npos) << e;
}

// The same check on plain string arrays: offsets past the data (Arrow's cheap Validate sees the last one
// only), inside-out offsets, offsets that run backwards.
TEST(FuzzRegressions, TextOffsetsOutsideTheDataAreErrors) {
  const auto data = arrow::Buffer::FromString("abcdef");
  for (const std::vector<int32_t>& offsets :
       {std::vector<int32_t>{0, 3, 9}, std::vector<int32_t>{0, 9, 6}, std::vector<int32_t>{0, 4, 2}}) {
    const auto off = arrow::Buffer::FromString(std::string(reinterpret_cast<const char*>(offsets.data()), 12));
    const arrow::StringArray array(2, off, data);
    const std::string e = error_of([&] { io::check_text_data(array, "f.parquet", "text"); });
    EXPECT_EQ(e.rfind("f.parquet: column 'text': corrupt string data: ", 0), 0u) << e;
  }
  const auto good = arrow::Buffer::FromString(std::string("\0\0\0\0\3\0\0\0\6\0\0\0", 12));
  EXPECT_NO_THROW(io::check_text_data(arrow::StringArray(2, good, data), "f.parquet", "text"));
}

TEST(FuzzRegressions, TokenizerConfigJsonExceptionsBecomeErrors) {
  TempDir dir;
  fs::copy_file(fs::path(HFBATCH_SOURCE_DIR) / "tests/fuzz/data/vocab.txt", dir.path / "vocab.txt");
  test::write(dir.path / "tokenizer_config.json", R"({"model_max_length": 2e+530})");
  std::string e = error_of([&] { tokenizer::Tokenizer::from_path(dir.path); });
  EXPECT_NE(e.find("tokenizer_config.json: malformed JSON: "), std::string::npos) << e;
  test::write(dir.path / "tokenizer_config.json", R"({"unk_token": {"content": "[UNK]", "lstrip": 1}})");
  e = error_of([&] { tokenizer::Tokenizer::from_path(dir.path); });
  EXPECT_NE(e.find("type must be boolean"), std::string::npos) << e;
  test::write(dir.path / "tokenizer_config.json", "{}");
  test::write(dir.path / "special_tokens_map.json", R"({"pad_token": 1e999})");
  const auto tok = tokenizer::Tokenizer::from_path(dir.path);
  e = error_of([&] { tokenizer::read_padding(dir.path, *tok); });
  EXPECT_NE(e.find("special_tokens_map.json: malformed JSON: "), std::string::npos) << e;
}
