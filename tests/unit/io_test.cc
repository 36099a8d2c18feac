// Input expansion, text columns of every string encoding, and the output commit protocol.
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <fstream>

#include "hfbatch/core/error.h"
#include "hfbatch/core/file_hash.h"
#include "hfbatch/io/input_files.h"
#include "hfbatch/io/output_dir.h"
#include "hfbatch/io/output_guard.h"
#include "hfbatch/io/parquet_source.h"
#include "hfbatch/io/text_column.h"

namespace fs = std::filesystem;
using namespace hfbatch::io;

namespace {

std::shared_ptr<arrow::Array> from_json(const std::shared_ptr<arrow::DataType>& type, const std::string& json) {
  return arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
}

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("hfbatch_io_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

void write_parquet(const fs::path& path, const std::shared_ptr<arrow::Table>& table) {
  auto out = arrow::io::FileOutputStream::Open(path.string()).ValueOrDie();
  auto props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 2,
                                         parquet::default_writer_properties(), props)
                  .ok());
}

}  // namespace

TEST(InputFiles, DirectoriesRecurseSortedAndSkipHidden) {
  fs::path d = fresh_dir("inputs");
  touch(d / "b.parquet");
  touch(d / "a" / "z.parquet");
  touch(d / "_SUCCESS");
  touch(d / ".hidden" / "x.parquet");
  touch(d / "_temporary" / "y.parquet");
  auto files = expand_inputs({d.string()});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], d / "a" / "z.parquet");
  EXPECT_EQ(files[1], d / "b.parquet");
  // Globs, and duplicates across specs dropped.
  auto globbed = expand_inputs({(d / "*.parquet").string(), (d / "b.parquet").string()});
  ASSERT_EQ(globbed.size(), 1u);
}

TEST(InputFiles, NothingMatchedNamesTheSpec) {
  try {
    expand_inputs({"/nonexistent/*.parquet"});
    FAIL();
  } catch (const hfbatch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/*.parquet"), std::string::npos);
  }
}

TEST(TextColumn, StringLargeStringAndDictionaryWithNulls) {
  arrow::StringBuilder s;
  ASSERT_TRUE(s.AppendValues({"a", "bb"}).ok());
  ASSERT_TRUE(s.AppendNull().ok());
  auto str = s.Finish().ValueOrDie();
  auto large = from_json(arrow::large_utf8(), R"(["a", "bb", null])");
  auto dict = arrow::DictionaryArray::FromArrays(arrow::dictionary(arrow::int32(), arrow::utf8()),
                                                 from_json(arrow::int32(), "[1, null, 0]"),
                                                 from_json(arrow::utf8(), R"(["x", "y"])"))
                  .ValueOrDie();
  auto v = text_values(*str);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(*v[1], "bb");
  EXPECT_FALSE(v[2].has_value());
  auto l = text_values(*large);
  EXPECT_EQ(*l[1], "bb");
  EXPECT_FALSE(l[2].has_value());
  auto d = text_values(*dict);
  EXPECT_EQ(*d[0], "y");
  EXPECT_FALSE(d[1].has_value());
  EXPECT_EQ(*d[2], "x");
  EXPECT_THROW(check_text_type(*arrow::int64(), "f.parquet", "n"), hfbatch::Error);
}

TEST(ParquetSource, StreamsChunksAndChecksColumns) {
  fs::path d = fresh_dir("source");
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("text", arrow::utf8())}),
      {arrow::ChunkedArray::Make({from_json(arrow::int64(), "[1,2,3,4,5]")}).ValueOrDie(),
       arrow::ChunkedArray::Make({from_json(arrow::utf8(), R"(["a",null,"c","","e"])")})
           .ValueOrDie()});
  write_parquet(d / "t.parquet", table);

  ColumnSelection sel{"text", std::nullopt, {"id"}, false};
  ParquetSource src(d / "t.parquet", sel, 2);
  EXPECT_EQ(src.num_rows(), 5);
  int64_t rows = 0;
  while (auto batch = src.next()) {
    EXPECT_LE(batch->num_rows(), 2);
    rows += batch->num_rows();
  }
  EXPECT_EQ(rows, 5);

  try {
    ParquetSource bad(d / "t.parquet", ColumnSelection{"id", std::nullopt, {}, false}, 2);
    FAIL();
  } catch (const hfbatch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("column 'id' has type int64"), std::string::npos) << e.what();
  }
  try {
    ParquetSource bad(d / "t.parquet", ColumnSelection{"txt", std::nullopt, {}, false}, 2);
    FAIL();
  } catch (const hfbatch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'txt'"), std::string::npos) << e.what();
  }
  // Row ranges (work units): any [b, e) within or across row groups (of 2 rows), in order.
  EXPECT_EQ(src.row_group_rows(), (std::vector<int64_t>{2, 2, 1}));
  for (int64_t b = 0; b <= 5; ++b) {
    for (int64_t e = b; e <= 5; ++e) {
      ParquetSource part(d / "t.parquet", sel, 2, b, e);
      std::vector<int64_t> ids;
      while (auto batch = part.next()) {
        auto col = std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName("id"));
        for (int64_t i = 0; i < col->length(); ++i) ids.push_back(col->Value(i));
      }
      std::vector<int64_t> want;
      for (int64_t i = b; i < e; ++i) want.push_back(i + 1);
      EXPECT_EQ(ids, want) << "[" << b << ", " << e << ")";
    }
  }
  EXPECT_THROW(ParquetSource(d / "t.parquet", sel, 2, 3, 6), hfbatch::Error);

  std::ofstream(d / "junk.parquet") << "this is not parquet";
  EXPECT_THROW(ParquetSource(d / "junk.parquet", sel, 2), hfbatch::Error);
}

// A struct (two Parquet leaves) and a map (two leaves) before the text: the reader selects fields by name,
// maps them to their leaves, and returns them whole in selection order (once took field indices for leaf
// indices: wrong columns, then a null text column and SIGSEGV).
TEST(ParquetSource, SelectsNestedColumnsByName) {
  fs::path d = fresh_dir("nested");
  auto point = arrow::struct_({arrow::field("x", arrow::int32()), arrow::field("y", arrow::utf8())});
  auto tags = arrow::map(arrow::utf8(), arrow::int64());
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("point", point), arrow::field("tags", tags), arrow::field("text", arrow::utf8()),
                     arrow::field("id", arrow::int64())}),
      {arrow::ChunkedArray::Make({from_json(point, R"([{"x":1,"y":"a"},null,{"x":3,"y":"c"}])")}).ValueOrDie(),
       arrow::ChunkedArray::Make({from_json(tags, R"([[["k",1]],null,[]])")}).ValueOrDie(),
       arrow::ChunkedArray::Make({from_json(arrow::utf8(), R"(["one","two",null])")}).ValueOrDie(),
       arrow::ChunkedArray::Make({from_json(arrow::int64(), "[7,8,9]")}).ValueOrDie()});
  write_parquet(d / "t.parquet", table);

  ColumnSelection sel;
  sel.text_column = "text";
  sel.keep_columns = {"id", "tags", "point"};
  ParquetSource src(d / "t.parquet", sel, 2);
  ASSERT_EQ(src.schema()->num_fields(), 4);
  EXPECT_EQ(src.schema()->field(0)->name(), "id");
  EXPECT_TRUE(src.schema()->field(1)->type()->Equals(*tags));
  EXPECT_TRUE(src.schema()->field(2)->type()->Equals(*point));
  EXPECT_EQ(src.schema()->field(3)->name(), "text");
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  while (auto b = src.next()) batches.push_back(b);
  auto got = arrow::Table::FromRecordBatches(batches).ValueOrDie()->CombineChunks().ValueOrDie();
  for (const char* name : {"id", "tags", "point", "text"})
    EXPECT_TRUE(got->GetColumnByName(name)->Equals(*table->GetColumnByName(name))) << name;

  sel.keep_all = true;
  ParquetSource all(d / "t.parquet", sel, 2);
  EXPECT_TRUE(all.schema()->Equals(*table->schema()));
  try {
    sel.text_column = "point.y";
    ParquetSource bad(d / "t.parquet", sel, 2);
    FAIL();
  } catch (const hfbatch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("inside the nested column 'point'"), std::string::npos) << e.what();
  }
}

TEST(OutputDir, RefusesExistingUnlessOverwriteAndCommitsAtomically) {
  fs::path d = fresh_dir("out");
  touch(d / "old.txt");
  EXPECT_THROW(OutputDir(d, false), hfbatch::Error);
  EXPECT_THROW(OutputDir(d, true), hfbatch::Error);  // not an hfbatch output: nothing is removed
  EXPECT_TRUE(fs::exists(d / "old.txt"));
  touch(d / "_plan.json");
  touch(d / "part-00003-00001.parquet");
  touch(d / "part-7.parquet.bak");
  OutputDir out(d, true);  // an hfbatch output: only its own entries go
  EXPECT_TRUE(fs::exists(d / "old.txt"));
  EXPECT_TRUE(fs::exists(d / "part-7.parquet.bak"));
  EXPECT_FALSE(fs::exists(d / "_plan.json"));
  EXPECT_FALSE(fs::exists(d / "part-00003-00001.parquet"));
  std::ofstream(out.temporary_path(part_name(0))) << "data";
  EXPECT_FALSE(fs::exists(d / "part-00000.parquet"));
  out.commit(part_name(0));
  EXPECT_TRUE(fs::exists(d / "part-00000.parquet"));
  out.cleanup();
  EXPECT_FALSE(fs::exists(d / "_temporary"));
}

TEST(OutputGuard, JobEntries) {
  for (const char* n : {"part-00000.parquet", "part-00002-00011.parquet", "part-123456.parquet", "_manifest.json",
                        "_plan.json", "_SUCCESS", "_temporary", "_shards"})
    EXPECT_TRUE(is_job_entry(n)) << n;
  for (const char* n : {"part-00000-c000.snappy.parquet", "part-.parquet", "data.parquet", "_SUCCESS.bak",
                        "manifest.json", "notes.txt"})
    EXPECT_FALSE(is_job_entry(n)) << n;
}

TEST(OutputGuard, OutputApartFromInputs) {
  const fs::path d = fresh_dir("apart");
  fs::create_directories(d / "in" / "sub");
  touch(d / "in" / "a.parquet");
  touch(d / "in" / "sub" / "b.parquet");
  fs::create_directory_symlink(d / "in", d / "link");
  const std::vector<std::string> specs = {(d / "in").string()};
  const std::vector<fs::path> files = {d / "in" / "a.parquet", d / "in" / "sub" / "b.parquet"};
  EXPECT_NO_THROW(check_output_apart_from_inputs(d / "out", specs, files));
  EXPECT_NO_THROW(check_output_apart_from_inputs(d / "in2", specs, files));  // a name prefix is not a parent
  for (const fs::path& bad : {d / "in", d / "in/", d / "in" / "out", d, d / "link", d / "link" / "x",
                              d / "in" / "sub" / ".." / "new"})
    EXPECT_THROW(check_output_apart_from_inputs(bad, specs, files), hfbatch::Error) << bad;
  // A glob's matches are inputs too, and a file input may not be the output.
  EXPECT_THROW(check_output_apart_from_inputs(d / "in" / "sub", {(d / "in" / "s*").string()}, {}), hfbatch::Error);
  EXPECT_THROW(check_output_apart_from_inputs(d / "in" / "a.parquet", {(d / "in" / "a.parquet").string()}, {}),
               hfbatch::Error);
}

TEST(FileHash, ContentDecides) {
  const fs::path d = fresh_dir("hash");
  std::string data(100003, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  std::ofstream(d / "a", std::ios::binary) << data;
  std::ofstream(d / "b", std::ios::binary) << data;
  EXPECT_EQ(hfbatch::core::hash_file(d / "a"), hfbatch::core::hash_file(d / "b"));
  EXPECT_EQ(hfbatch::core::hash_file(d / "a").size(), 16u);
  for (size_t pos : {size_t{0}, size_t{40000}, data.size() - 1}) {  // a block, the tail
    std::string changed = data;
    changed[pos] ^= 1;
    std::ofstream(d / "b", std::ios::binary) << changed;
    EXPECT_NE(hfbatch::core::hash_file(d / "a"), hfbatch::core::hash_file(d / "b")) << pos;
  }
  std::ofstream(d / "b", std::ios::binary) << data << '\0';  // one more byte
  EXPECT_NE(hfbatch::core::hash_file(d / "a"), hfbatch::core::hash_file(d / "b"));
  EXPECT_THROW(hfbatch::core::hash_file(d / "missing"), hfbatch::Error);
}
