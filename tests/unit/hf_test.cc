// config.json and safetensors reading: values, dtype conversion, and one-line errors naming file + field.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/config.h"
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
  EXPECT_EQ(error_of([&] { hf::Config::load(d.path / "nope.json"); }), (d.path / "nope.json").string() + ": cannot open");
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
