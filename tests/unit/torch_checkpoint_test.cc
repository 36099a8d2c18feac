// pytorch_model.bin: the restricted unpickler (views, dtypes, shared storages), refusal of malicious pickles
// without running them, legacy/truncated/corrupt files as one-line errors, WeightStore precedence.
// Files come from tools/make_deberta_fixtures.py (tests/fixtures/torch, tests/fixtures/models/deberta-*).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/torch_checkpoint.h"
#include "hfbatch/hf/weights.h"
#include "hfbatch/models/model.h"

#include "test_util.h"

namespace fs = std::filesystem;
using namespace hfbatch;

namespace {

fs::path fixtures() { return fs::path(HFBATCH_SOURCE_DIR) / "tests/fixtures"; }

using hfbatch::test::error_of;
using hfbatch::test::TempDir;
using hfbatch::test::write;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
std::vector<float> values(const core::Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

TEST(TorchCheckpoint, ReadsViewsDtypesAndSkipsNothing) {
  hf::TorchCheckpoint f(fixtures() / "torch/views.bin");
  // a = arange(12).reshape(3, 4); row = a[1] (storage offset 4); t = a.t() (strided)
  EXPECT_EQ(values(f.load_f32(*f.find("a"))), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(values(f.load_f32(*f.find("row"))), (std::vector<float>{4, 5, 6, 7}));
  auto t = f.load_f32(*f.find("t"));
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(values(t), (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  EXPECT_EQ(values(f.load_f32(*f.find("h"))), (std::vector<float>{1.0f, -2.0f, 0.5f}));
  EXPECT_EQ(f.find("h")->dtype, "F16");
  EXPECT_EQ(values(f.load_f32(*f.find("bf"))), (std::vector<float>{1.0f, 3.0f}));
  EXPECT_EQ(f.find("bf")->dtype, "BF16");
  ASSERT_NE(f.find("ids"), nullptr);
  EXPECT_EQ(f.find("ids")->dtype, "I64");
  EXPECT_NE(error_of([&] { f.load_f32(*f.find("ids")); }).find("ids: dtype I64 is not a floating-point"), std::string::npos);
}

TEST(TorchCheckpoint, RefusesMaliciousPicklesWithoutRunningThem) {
  const std::pair<const char*, const char*> cases[] = {
      {"os_system.bin", "posix.system"},
      {"builtins_eval.bin", "__builtin__.eval"},  // protocol 2 writes the Python 2 module name
      {"subprocess_popen.bin", "subprocess.Popen"},  // protocol 4: STACK_GLOBAL
      {"nested_os_system.bin", "posix.system"},      // after a valid tensor, inside torch.save's own pickle
  };
  const char* markers[] = {"/tmp/hfbatch_pwned_os_system", "/tmp/hfbatch_pwned_eval", "/tmp/hfbatch_pwned_popen",
                           "/tmp/hfbatch_pwned_nested"};
  for (const char* m : markers) fs::remove(m);
  for (const auto& [file, global] : cases) {
    const fs::path p = fixtures() / "torch" / file;
    ASSERT_TRUE(fs::exists(p)) << p;
    EXPECT_EQ(error_of([&] { hf::TorchCheckpoint f(p); }),
              p.string() + ": data.pkl: refusing global '" + global + "' (only state-dict types are allowed)");
  }
  for (const char* m : markers) EXPECT_FALSE(fs::exists(m)) << m << " was created: the pickle ran";
}

TEST(TorchCheckpoint, LegacyTruncatedAndCorruptFilesGiveErrors) {
  const fs::path legacy = fixtures() / "torch/legacy.bin";
  EXPECT_NE(error_of([&] { hf::TorchCheckpoint f(legacy); }).find("legacy (pre-1.6, non-zip) torch serialization"),
            std::string::npos);
  const std::string good = read(fixtures() / "models/deberta-v3-tiny-bin/pytorch_model.bin");
  TempDir d;
  const fs::path p = d.path / "pytorch_model.bin";
  auto err = [&](const std::string& bytes) {
    write(p, bytes);
    return error_of([&] { hf::TorchCheckpoint f(p); });
  };
  EXPECT_EQ(err(good).find("(no error)"), 0u);
  for (size_t len : {size_t{1}, size_t{100}, good.size() / 2, good.size() - 30}) {
    std::string e = err(good.substr(0, len));
    EXPECT_EQ(e.rfind(p.string() + ": ", 0), 0u) << e;
    EXPECT_NE(e.find("zip"), std::string::npos) << len << ": " << e;
  }
  EXPECT_NE(err("hello world, not a checkpoint").find("not a torch.save zip checkpoint"), std::string::npos);
  // A deflated entry: flip the compression method of the first central-directory record.
  std::string deflated = good;
  const size_t cd = deflated.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(cd, std::string::npos);
  deflated[cd + 10] = 8;
  EXPECT_NE(err(deflated).find("compressed zip entry (method 8)"), std::string::npos);
  // Random corruption never crashes (errors or, rarely, a load of altered data).
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    std::string g = good;
    for (int k = 0; k < 4; ++k) g[rng() % g.size()] = static_cast<char>(rng());
    write(p, g);
    try {
      hf::TorchCheckpoint f(p);
      for (const auto& [n, e] : f.entries()) f.load_f32(e);
    } catch (const Error&) {
    }
  }
}

TEST(TorchCheckpoint, SafetensorsWinsOverPytorchModelBin) {
  TempDir d;
  const fs::path src = fixtures() / "models/deberta-v3-tiny";
  fs::copy(src / "config.json", d.path / "config.json");
  fs::copy(fixtures() / "torch/os_system.bin", d.path / "pytorch_model.bin");
  // Only the .bin: refused.
  EXPECT_NE(error_of([&] { models::load_model(d.path); }).find("refusing global"), std::string::npos);
  // With model.safetensors next to it, the .bin is never opened.
  fs::copy(src / "model.safetensors", d.path / "model.safetensors");
  auto m = models::load_model(d.path);
  EXPECT_EQ(m->info().architecture, "DebertaV2ForSequenceClassification");
  hf::WeightStore w = hf::WeightStore::open(d.path);
  EXPECT_EQ(w.source(), (d.path / "model.safetensors").string());
}

TEST(TorchCheckpoint, ShardedIndexAndMissingShard) {
  TempDir d;
  const fs::path src = fixtures() / "models/deberta-v2-tiny-bin";
  for (const auto& e : fs::directory_iterator(src)) fs::copy(e.path(), d.path / e.path().filename());
  hf::WeightStore w = hf::WeightStore::open(d.path);
  EXPECT_EQ(w.source(), (d.path / "pytorch_model.bin.index.json").string());
  EXPECT_TRUE(w.contains("classifier.weight"));
  fs::remove(d.path / "pytorch_model-00003-of-00005.bin");
  EXPECT_NE(error_of([&] { hf::WeightStore::open(d.path); }).find("shard pytorch_model-00003-of-00005.bin"),
            std::string::npos);
}

}  // namespace

namespace {

std::string le_bytes(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// A torch.save-like zip (stored entries) of {name, bytes}, built by hand.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& files) {
  const auto le = le_bytes;
  std::string local, central;
  for (const auto& [name, data] : files) {
    central += std::string("PK\x01\x02", 4) + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) +
               le(data.size(), 4) + le(data.size(), 4) + le(name.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) +
               le(0, 2) + le(0, 4) + le(local.size(), 4) + name;
    local += std::string("PK\x03\x04", 4) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + le(data.size(), 4) +
             le(data.size(), 4) + le(name.size(), 2) + le(0, 2) + name + data;
  }
  std::string eocd = std::string("PK\x05\x06", 4) + le(0, 2) + le(0, 2) + le(files.size(), 2) + le(files.size(), 2) +
                     le(central.size(), 4) + le(local.size(), 4) + le(0, 2);
  return local + central + eocd;
}

// ... around `pkl` as archive/data.pkl.
std::string zip_with_pickle(const std::string& pkl) { return zip_of({{"archive/data.pkl", pkl}}); }

TEST(TorchCheckpoint, HostilePickleShapesGiveErrorsNotCrashes) {
  using namespace std::string_literals;
  TempDir d;
  const fs::path p = d.path / "pytorch_model.bin";
  auto err = [&](const std::string& pkl) {
    write(p, zip_with_pickle(pkl));
    return error_of([&] { hf::TorchCheckpoint f(p); });
  };
  // 2 million nested 1-tuples: refused (not a state dict), released without deep recursion.
  std::string deep = "\x80\x02)";
  for (int i = 0; i < 2000000; ++i) deep += "\x85";
  EXPECT_NE(err(deep + ".").find("not a state dict"), std::string::npos);
  EXPECT_NE(err("\x80\x02}q\x00h\x05."s).find("memo key 5 undefined"), std::string::npos);
  EXPECT_NE(err("\x80\x02(").find("truncated pickle"), std::string::npos);
  EXPECT_NE(err("\x80\x02s.").find("stack underflow"), std::string::npos);
  EXPECT_NE(err(std::string("\x80\x02\x81.", 4)).find("refusing pickle opcode 0x81"), std::string::npos);  // NEWOBJ
  EXPECT_NE(err("\x80\x02}ctorch._utils\n_rebuild_tensor_v2\n)R.").find("_rebuild_tensor_v2: unexpected arguments"),
            std::string::npos);
  // A tensor whose view runs past its storage.
  const std::string view =
      "\x80\x02}X\x01\x00\x00\x00w"s
      "ctorch._utils\n_rebuild_tensor_v2\n"s
      "((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x00"s
      "0X\x03\x00\x00\x00"s "cpuK\x04tQ"s
      "K\x00K\x05\x85K\x01\x85\x89NtRs."s;
  EXPECT_NE(err(view).find("w: storage data/0 is missing"), std::string::npos) << err(view);
}

// Issue 12 item 8: a view whose extent overflows int64 (shape [2^23+1, 32], stride [2^40, 1]: the last
// element sits at 2^63 + 31) and a view with more elements than its storage (stride 0) are refused; before,
// both passed the bounds check and load_f32 read far outside the mapping.
TEST(TorchCheckpoint, ViewExtentsUseCheckedArithmetic) {
  using namespace std::string_literals;
  TempDir d;
  const fs::path p = d.path / "pytorch_model.bin";
  // {"w": _rebuild_tensor_v2(storage('0', FloatStorage, 16 elements), 0, size, stride, False, None)}
  auto err = [&](const std::string& size_and_stride) {
    const std::string pkl = "\x80\x02}X\x01\x00\x00\x00w"s
                            "ctorch._utils\n_rebuild_tensor_v2\n"s
                            "((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x00"s
                            "0X\x03\x00\x00\x00"s "cpuK\x10tQ"s
                            "K\x00"s + size_and_stride + "\x89NtRs."s;
    write(p, zip_of({{"archive/data.pkl", pkl}, {"archive/data/0", std::string(64, '\0')}}));
    return error_of([&] {
      hf::TorchCheckpoint f(p);
      for (const auto& [n, e] : f.entries()) f.load_f32(e);
    });
  };
  // (2^23 + 1, 32) and (2^40, 1): BININT 8388609, BININT1 32, TUPLE2; LONG1 of 6 bytes 2^40, BININT1 1, TUPLE2.
  const std::string huge = "J\x01\x00\x80\x00K\x20\x86\x8a\x06\x00\x00\x00\x00\x00\x01K\x01\x86"s;
  EXPECT_NE(err(huge).find("w: view extent (shape [8388609, 32]) overflows int64"), std::string::npos) << err(huge);
  // (4, 4) with strides (0, 0) over 16 elements: fine bounds, but 16 elements alias one.
  const std::string aliased = "K\x04K\x04\x86K\x00K\x00\x86"s;
  EXPECT_EQ(err(aliased), "(no error)");  // 16 elements ≤ the storage's 16: allowed (bounded by the file)
  const std::string more = "K\x08K\x04\x86K\x00K\x01\x86"s;  // 32 elements over a 16-element storage
  EXPECT_NE(err(more).find("w: view [8, 4] has more elements than its storage of 16"), std::string::npos) << err(more);
  // The plain, valid view still loads.
  EXPECT_EQ(err("K\x04K\x04\x86K\x04K\x01\x86"s), "(no error)");
}

// Issue 12 item 8: a ZIP64 locator in a file shorter than a ZIP64 end record (size - 56 wrapped around).
TEST(TorchCheckpoint, ShortFileWithZip64LocatorIsAnError) {
  TempDir d;
  const fs::path p = d.path / "pytorch_model.bin";
  // locator (20 bytes) pointing at offset 4, where "PK\x06\x06" sits, then an empty EOCD: 42 bytes in all.
  const std::string locator = std::string("PK\x06\x07", 4) + std::string("PK\x06\x06", 4) + le_bytes(4, 8) + le_bytes(1, 4);
  const std::string eocd = std::string("PK\x05\x06", 4) + std::string(18, '\0');
  write(p, locator + eocd);
  EXPECT_NE(error_of([&] { hf::TorchCheckpoint f(p); }).find("bad ZIP64 end of central directory"), std::string::npos)
      << error_of([&] { hf::TorchCheckpoint f(p); });
}

}  // namespace
