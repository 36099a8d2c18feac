// config.json and safetensors reading: values, dtype conversion, and one-line errors naming file + field.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/hf/regular_file.h"
#include "hfbatch/hf/safetensors.h"
#include "hfbatch/hf/weights.h"

#include "test_util.h"

namespace fs = std::filesystem;
using namespace hfbatch;

namespace {

using hfbatch::test::error_of;
using hfbatch::test::TempDir;
using hfbatch::test::write;

// A safetensors file from {name: (dtype, shape, raw bytes)}.
struct Entry {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};
std::string safetensors_bytes(const std::map<std::string, Entry>& entries) {
  nlohmann::json h;
  h["__metadata__"] = {{"format", "pt"}};
  std::string data;
  for (const auto& [name, e] : entries) {
    h[name] = {{"dtype", e.dtype}, {"shape", e.shape}, {"data_offsets", {data.size(), data.size() + e.bytes.size()}}};
    data += e.bytes;
  }
  std::string header = h.dump();
  while ((header.size() + 8) % 8) header += ' ';
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(n >> (8 * i));
  return out + header + data;
}
std::string f32_bytes(std::vector<float> v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4); }

}  // namespace

TEST(Config, ValuesAndErrors) {
  TempDir d;
  write(d.path / "config.json", R"({"hidden_size": 32, "eps": 1e-5, "act": "gelu", "bad": "x", "archs": ["A"]})");
  auto c = hf::Config::load(d.path / "config.json");
  EXPECT_EQ(c.get_int("hidden_size"), 32);
  EXPECT_FLOAT_EQ(c.get_double("eps"), 1e-5);
  EXPECT_EQ(c.get_int("num_layers", 7), 7);
  EXPECT_EQ(c.get_strings("archs"), std::vector<std::string>{"A"});
  const std::string f = (d.path / "config.json").string();
  EXPECT_EQ(error_of([&] { c.get_int("num_hidden_layers"); }), f + ": num_hidden_layers: missing");
  EXPECT_EQ(error_of([&] { c.get_int("bad"); }), f + ": bad: expected an integer, got \"x\"");
  write(d.path / "broken.json", "{\"a\": ");
  EXPECT_NE(error_of([&] { hf::Config::load(d.path / "broken.json"); }).find("broken.json: invalid JSON"), std::string::npos);
  EXPECT_EQ(error_of([&] { hf::Config::load(d.path / "nope.json"); }),
            (d.path / "nope.json").string() + ": cannot open: No such file or directory");
}

// fuzz_config (10-minute run): an architecture name holding "\n" made the "is not supported" error two lines.
TEST(Config, EchoedValuesStayOnOneLine) {
  TempDir d;
  write(d.path / "config.json", R"({"archs": ["Distil\nBert"]})");
  auto c = hf::Config::load(d.path / "config.json");
  const std::string e = error_of([&] { c.fail("archs", c.get_strings("archs")[0] + " is not supported"); });
  EXPECT_EQ(e, (d.path / "config.json").string() + ": archs: Distil\\nBert is not supported");
}

TEST(Safetensors, ReadsF32F16BF16) {
  TempDir d;
  uint16_t f16[3] = {0x3c00, 0xc000, 0x0001};  // 1, -2, smallest subnormal
  uint16_t bf16[2] = {0x3f80, 0x4040};         // 1, 3
  write(d.path / "model.safetensors",
        safetensors_bytes({{"a", {"F32", {2, 2}, f32_bytes({1, 2, 3, 4})}},
                           {"h", {"F16", {3}, std::string(reinterpret_cast<char*>(f16), 6)}},
                           {"b", {"BF16", {2}, std::string(reinterpret_cast<char*>(bf16), 4)}}}));
  hf::SafetensorsFile f(d.path / "model.safetensors");
  auto a = f.load_f32(*f.find("a"));
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(a.data<float>()[3], 4.0f);
  auto h = f.load_f32(*f.find("h"));
  EXPECT_EQ(h.data<float>()[0], 1.0f);
  EXPECT_EQ(h.data<float>()[1], -2.0f);
  EXPECT_FLOAT_EQ(h.data<float>()[2], 5.9604645e-08f);
  auto b = f.load_f32(*f.find("b"));
  EXPECT_EQ(b.data<float>()[1], 3.0f);
}

TEST(Safetensors, CorruptFilesGiveErrorsNotCrashes) {
  TempDir d;
  std::string good = safetensors_bytes({{"w", {"F32", {4, 4}, f32_bytes(std::vector<float>(16, 1.0f))}}});
  const fs::path p = d.path / "model.safetensors";
  auto err = [&](const std::string& bytes) {
    write(p, bytes);
    return error_of([&] { hf::SafetensorsFile f(p); });
  };
  EXPECT_NE(err(good.substr(0, 5)).find("truncated"), std::string::npos);
  EXPECT_NE(err(good.substr(0, 20)).find("header length"), std::string::npos);
  EXPECT_NE(err(good.substr(0, good.size() - 4)).find("w: truncated"), std::string::npos);
  std::string bad_json = good;
  bad_json[9] = '#';
  EXPECT_NE(err(bad_json).find("corrupt header"), std::string::npos);
  EXPECT_NE(err(safetensors_bytes({{"w", {"F32", {4, 4}, f32_bytes({1, 2})}}})).find("do not match"), std::string::npos);
  EXPECT_NE(err(safetensors_bytes({{"w", {"Q4", {2}, "ab"}}})).find("unknown dtype Q4"), std::string::npos);
  EXPECT_EQ(err(std::string(3, 'x')).rfind(p.string() + ": ", 0), 0u);  // message starts with the file
  // Random garbage never crashes.
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string g = good;
    for (int k = 0; k < 3; ++k) g[rng() % g.size()] = static_cast<char>(rng());
    write(p, g);
    try {
      hf::SafetensorsFile f(p);
      for (const auto& [n, e] : f.entries()) f.load_f32(e);
    } catch (const Error&) {
    }
  }
}

TEST(WeightStore, PrefixLookupShapesAndMissing) {
  TempDir d;
  write(d.path / "model.safetensors",
        safetensors_bytes({{"embeddings.word_embeddings.weight", {"F32", {3, 2}, f32_bytes({1, 2, 3, 4, 5, 6})}},
                           {"classifier.bias", {"F16", {2}, std::string("\x00\x3c\x00\x3c", 4)}}}));
  auto w = hf::WeightStore::open(d.path);
  w.set_prefix("bert.");
  auto t = w.require("bert.embeddings.word_embeddings.weight", {3, 2});  // stored without the prefix
  EXPECT_EQ(t.data<float>()[5], 6.0f);
  EXPECT_TRUE(w.contains("embeddings.word_embeddings.weight"));
  EXPECT_FALSE(w.optional("bert.pooler.dense.weight", {2, 2}).has_value());
  const std::string file = (d.path / "model.safetensors").string();
  EXPECT_EQ(error_of([&] { w.require("bert.pooler.dense.weight", {2, 2}); }), file + ": bert.pooler.dense.weight: missing");
  EXPECT_EQ(error_of([&] { w.require("bert.embeddings.word_embeddings.weight", {3, 4}); }),
            file + ": embeddings.word_embeddings.weight: expected [3, 4], got [3, 2]");
  w.require("classifier.bias", {2});
  EXPECT_EQ(w.loaded_parameters(), 8);
  EXPECT_EQ(w.loaded_dtypes(), "F32+F16");
}

TEST(WeightStore, ShardedIndexAndMissingFiles) {
  TempDir d;
  write(d.path / "a.safetensors", safetensors_bytes({{"x", {"F32", {1}, f32_bytes({7})}}}));
  write(d.path / "b.safetensors", safetensors_bytes({{"y", {"F32", {1}, f32_bytes({8})}}}));
  write(d.path / "model.safetensors.index.json", R"({"metadata": {}, "weight_map": {"x": "a.safetensors", "y": "b.safetensors"}})");
  auto w = hf::WeightStore::open(d.path);
  EXPECT_EQ(w.require("y", {1}).data<float>()[0], 8.0f);
  write(d.path / "model.safetensors.index.json", R"({"weight_map": {"x": "a.safetensors", "z": "c.safetensors"}})");
  EXPECT_NE(error_of([&] { hf::WeightStore::open(d.path); }).find("shard c.safetensors (for z) does not exist"), std::string::npos);
  write(d.path / "model.safetensors.index.json", R"({"weight_map": {"q": "a.safetensors"}})");
  EXPECT_NE(error_of([&] { hf::WeightStore::open(d.path); }).find("a.safetensors: q: missing"), std::string::npos);

  TempDir e;
  write(e.path / "pytorch_model.bin", "PK");
  EXPECT_NE(error_of([&] { hf::WeightStore::open(e.path); }).find("pytorch_model.bin: truncated zip"), std::string::npos);
  TempDir empty;
  EXPECT_NE(error_of([&] { hf::WeightStore::open(empty.path); }).find("no model weights (model.safetensors"), std::string::npos);
}

// Issue 12 item 3: size fields are integers in a bounded positive range (or the documented sentinels).
TEST(Config, SizeFieldsAreBounded) {
  TempDir d;
  write(d.path / "config.json",
        R"({"hidden_size": -48, "layers": 0, "vocab": 1e300, "big": 99999999999, "ok": 768.0, "rel": -1})");
  auto c = hf::Config::load(d.path / "config.json");
  const std::string f = (d.path / "config.json").string();
  EXPECT_EQ(error_of([&] { c.get_size("hidden_size"); }),
            f + ": hidden_size: must be between 1 and 16777216, got -48");
  EXPECT_EQ(error_of([&] { c.get_size("layers"); }), f + ": layers: must be between 1 and 16777216, got 0");
  EXPECT_EQ(error_of([&] { c.get_size("vocab"); }), f + ": vocab: expected an integer, got 1e+300");
  EXPECT_NE(error_of([&] { c.get_size("big"); }).find("big: must be between"), std::string::npos);
  EXPECT_EQ(c.get_size("ok"), 768);
  EXPECT_EQ(c.get_size("rel", -1, -1, 100), -1);
  EXPECT_EQ(c.get_size("absent", 7, 1, 100), 7);
}

// Issue 12 item 11: as the reference loader, tensors must tile the data section: no overlap, no gap, no
// trailing bytes.
TEST(Safetensors, TensorsMustTileTheDataSection) {
  TempDir d;
  const fs::path p = d.path / "model.safetensors";
  auto with = [&](const std::string& header, const std::string& data) {
    std::string h = header;
    while ((h.size() + 8) % 8) h += ' ';
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(static_cast<uint64_t>(h.size()) >> (8 * i));
    write(p, out + h + data);
    return error_of([&] { hf::SafetensorsFile f(p); });
  };
  const std::string data(16, '\0');
  EXPECT_EQ(with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", data),
            "(no error)");
  EXPECT_NE(with(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", data)
                .find("b: data_offsets [8, 16] overlap the previous tensor"),
            std::string::npos);
  EXPECT_NE(with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", data)
                .find("b: data_offsets [8, 16] leave a gap"),
            std::string::npos);
  EXPECT_EQ(with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", data),
            p.string() + ": 8 unreferenced bytes after the last tensor (data section has 16 bytes, tensors end at byte 8)");
  // Two names for the same bytes (an aliasing trick) are overlapping tensors too.
  EXPECT_NE(with(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data)
                .find("overlap"),
            std::string::npos);
}

// Issue 12 item 3: WeightStore shapes have no wildcards: a negative size never matches.
TEST(WeightStore, NegativeSizesAreNotWildcards) {
  TempDir d;
  write(d.path / "model.safetensors", safetensors_bytes({{"w", {"F32", {3, 2}, f32_bytes({1, 2, 3, 4, 5, 6})}}}));
  auto w = hf::WeightStore::open(d.path);
  EXPECT_EQ(error_of([&] { w.require("w", {-1, 2}); }),
            (d.path / "model.safetensors").string() + ": w: expected [-1, 2], got [3, 2]");
}

// Issue 12 item 10: only regular files are read (a directory, a device, a FIFO are refused without
// blocking), and JSON files have a size limit.
TEST(RegularFile, RefusesNonRegularFilesAndOversizedJson) {
  TempDir d;
  fs::create_directories(d.path / "model.safetensors");
  EXPECT_EQ(error_of([&] { hf::SafetensorsFile f(d.path / "model.safetensors"); }),
            (d.path / "model.safetensors").string() + ": a directory, expected a regular file");
  fs::create_symlink("/dev/zero", d.path / "config.json");
  EXPECT_EQ(error_of([&] { hf::Config::load(d.path / "config.json"); }),
            (d.path / "config.json").string() + ": a character device, expected a regular file");
  ASSERT_EQ(::mkfifo((d.path / "fifo.json").c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { hf::read_json_file(d.path / "fifo.json"); }),
            (d.path / "fifo.json").string() + ": a FIFO, expected a regular file");
  write(d.path / "real.json", "{}");
  fs::create_symlink(d.path / "real.json", d.path / "link.json");  // a symlink to a regular file is fine
  EXPECT_TRUE(hf::read_json_file(d.path / "link.json").is_object());
  {
    std::ofstream big(d.path / "big.json");
  }
  fs::resize_file(d.path / "big.json", hf::kMaxConfigFileBytes + 1);  // sparse: nothing written
  EXPECT_NE(error_of([&] { hf::read_json_file(d.path / "big.json"); }).find("more than the limit of 67108864"),
            std::string::npos);
}
