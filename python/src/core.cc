// hfbatch._core: the thin nanobind layer over runtime::Session (DESIGN.md "Python"). It holds no logic
// the C++ side lacks: texts come in as Arrow arrays through the C Data Interface (PyCapsules, zero-copy),
// go through Session::run with the GIL released, and the prediction columns built by
// io::prediction_arrays (the same code the Parquet writer uses) go back as an exported RecordBatch.
#include <Python.h>
#include <arrow/api.h>
#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hfbatch/core/error.h"
#include "hfbatch/io/arrow_status.h"
#include "hfbatch/io/prediction_columns.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/io/tokenize_unit.h"
#include "hfbatch/runtime/device_choice.h"
#include "hfbatch/runtime/encode_rows.h"
#include "hfbatch/runtime/session.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace hfbatch::python {
namespace {

constexpr const char* kSchemaCapsule = "arrow_schema";
constexpr const char* kArrayCapsule = "arrow_array";

// Capsule destructors of the Arrow PyCapsule protocol: release the struct unless a consumer moved it.
void release_schema_capsule(PyObject* capsule) {
  auto* s = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule, kSchemaCapsule));
  if (s == nullptr) return;
  if (s->release != nullptr) s->release(s);
  delete s;
}

void release_array_capsule(PyObject* capsule) {
  auto* a = static_cast<ArrowArray*>(PyCapsule_GetPointer(capsule, kArrayCapsule));
  if (a == nullptr) return;
  if (a->release != nullptr) a->release(a);
  delete a;
}

// One input chunk: the (schema, array) capsule pair of `__arrow_c_array__`. Imports (moves) the structs;
// the returned array shares the producer's buffers.
std::shared_ptr<arrow::Array> import_chunk(const nb::handle& schema_capsule, const nb::handle& array_capsule) {
  auto* schema = static_cast<ArrowSchema*>(PyCapsule_GetPointer(schema_capsule.ptr(), kSchemaCapsule));
  if (schema == nullptr) throw nb::python_error();
  auto* array = static_cast<ArrowArray*>(PyCapsule_GetPointer(array_capsule.ptr(), kArrayCapsule));
  if (array == nullptr) throw nb::python_error();
  return io::arrow_value(arrow::ImportArray(array, schema), "importing an Arrow array");
}

using Chunks = std::vector<std::pair<nb::object, nb::object>>;

// The texts of all chunks as views (valid while `arrays` lives); `what` names the argument in errors.
std::vector<std::optional<std::string_view>> texts_of(const Chunks& chunks, const std::string& what,
                                                      std::vector<std::shared_ptr<arrow::Array>>& arrays) {
  std::vector<std::optional<std::string_view>> out;
  for (const auto& [schema, array] : chunks) {
    auto a = import_chunk(schema, array);
    io::check_text_type(*a->type(), "input", what);
    auto v = io::text_values(*a);
    out.insert(out.end(), v.begin(), v.end());
    arrays.push_back(std::move(a));
  }
  return out;
}

// texts_of for the texts and, when given, their pairs (then as many rows as the texts; else empty).
std::pair<std::vector<std::optional<std::string_view>>, std::vector<std::optional<std::string_view>>>
text_and_pair_views(const Chunks& texts, const std::optional<Chunks>& pairs,
                    std::vector<std::shared_ptr<arrow::Array>>& arrays) {
  auto text_views = texts_of(texts, "texts", arrays);
  std::vector<std::optional<std::string_view>> pair_views;
  if (pairs) {
    pair_views = texts_of(*pairs, "pairs", arrays);
    check(pair_views.size() == text_views.size(),
          "pairs: " + std::to_string(pair_views.size()) + " rows but texts has " + std::to_string(text_views.size()));
  }
  return {std::move(text_views), std::move(pair_views)};
}

// The Python task names (hfbatch.Engine(task=...); embed_sparse is task="embed", sparse=True).
const std::pair<const char*, runtime::Task> kTasks[] = {{"classify", runtime::Task::classify},
                                                        {"embed", runtime::Task::embed},
                                                        {"token_classify", runtime::Task::token_classify},
                                                        {"zero_shot", runtime::Task::zero_shot},
                                                        {"embed_sparse", runtime::Task::sparse_embed}};

// `batch` as the (schema, array) capsules of the Arrow PyCapsule protocol.
std::pair<nb::object, nb::object> export_batch(const arrow::RecordBatch& batch, const std::string& what) {
  auto* c_schema = new ArrowSchema{};
  auto* c_array = new ArrowArray{};
  arrow::Status st = arrow::ExportRecordBatch(batch, c_array, c_schema);
  if (!st.ok()) {
    delete c_schema;
    delete c_array;
    io::arrow_check(st, "exporting " + what);
  }
  nb::object s = nb::steal(PyCapsule_New(c_schema, kSchemaCapsule, release_schema_capsule));
  nb::object a = nb::steal(PyCapsule_New(c_array, kArrayCapsule, release_array_capsule));
  return {s, a};
}

runtime::Task parse_task(const std::string& task) {
  for (const auto& [name, t] : kTasks)
    if (task == name) return t;
  throw Error("task: '" + task + "' is not one of classify, embed, token_classify, zero_shot, embed_sparse");
}

std::string task_name(runtime::Task task) {
  for (const auto& [name, t] : kTasks)
    if (task == t) return name;
  return "?";
}

class Engine {
 public:
  Engine(const std::string& model, const std::optional<std::string>& tokenizer, const std::string& device,
         int32_t threads, const std::string& task, int64_t max_length, int64_t batch_tokens,
         const std::string& prefix, const std::string& dtype, int32_t compat, const std::string& aggregation,
         const std::vector<std::string>& candidate_labels, const std::string& hypothesis_template, bool multi_label,
         int32_t top_k) {
    const runtime::DeviceChoice choice = runtime::choose_device(device, dtype, "device", "dtype");  // before loading
    check(threads >= 0, "--threads: must be positive");
    check(max_length >= 0, "--max-length: must be positive");
    check(compat == 4 || compat == 5, "compat: expected 4 or 5 (the transformers major version), got " + std::to_string(compat));
    runtime::SessionOptions options;
    options.model_dir = model;
    if (tokenizer) options.tokenizer_dir = *tokenizer;
    options.task = parse_task(task);
    options.threads = threads;
    options.max_length = max_length;
    options.batch_tokens = batch_tokens;
    options.precision = choice.precision;
    options.device = choice.device;
    options.cuda_dtype = choice.cuda_dtype;
    options.transformers_major = compat;
    options.task_options = {aggregation, candidate_labels, hypothesis_template, multi_label, top_k};
    check(top_k >= 0, "top_k: must be positive");
    threads_ = threads;
    tokenizer_folder_ = io::tokenizer_folder(options.tokenizer_dir.value_or(options.model_dir));
    {
      nb::gil_scoped_release release;
      session_ = std::make_unique<runtime::Session>(options);
    }
    spec_.task = options.task;
    spec_.labels = options.task == runtime::Task::zero_shot ? candidate_labels : session_->model_info().labels;
    spec_.width = session_->output_width();
    spec_.prefix = prefix;
    dtype_ = choice.dtype_name();
    compat_ = compat;
    schema_ = arrow::schema(io::prediction_fields(spec_));
  }

  // Predictions for the texts (and pairs) given as Arrow chunks; returns the (schema, array) capsules of
  // a RecordBatch with the prediction columns, one row per input row.
  std::pair<nb::object, nb::object> run(const Chunks& texts, const std::optional<Chunks>& pairs) {
    std::vector<std::shared_ptr<arrow::Array>> arrays;
    auto [text_views, pair_views] = text_and_pair_views(texts, pairs, arrays);
    std::shared_ptr<arrow::RecordBatch> batch;
    {
      nb::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);  // one run at a time per engine; the session's pool is shared
      runtime::Predictions pred = session_->run(text_views, pairs ? &pair_views : nullptr, stats_);
      batch = arrow::RecordBatch::Make(schema_, pred.rows, io::prediction_arrays(pred, spec_));
    }
    return export_batch(*batch, "predictions");
  }

  // The tokenize job's columns (io::token_fields: input_ids, token_type_ids, attention_mask) for the texts
  // (and pairs): what the model is fed, truncated to max_length(); with pad_to_max_length padded to it as
  // `hfbatch tokenize --padding max_length` does (the tokenizer's pad token, attention mask 0 on pads).
  std::pair<nb::object, nb::object> tokenize(const Chunks& texts, const std::optional<Chunks>& pairs,
                                             bool pad_to_max_length) {
    std::vector<std::shared_ptr<arrow::Array>> arrays;
    auto [text_views, pair_views] = text_and_pair_views(texts, pairs, arrays);
    std::shared_ptr<arrow::RecordBatch> batch;
    {
      nb::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      std::optional<tokenizer::PaddingSpec> padding;
      if (pad_to_max_length) {
        padding = tokenizer::read_padding(tokenizer_folder_, session_->tokenizer());
        check(padding.has_value(), tokenizer_folder_.string() +
                                       ": the tokenizer has no pad token (pad_token in tokenizer_config.json); "
                                       "padding='max_length' needs one, or use padding='none'");
      }
      if (!tokenize_pool_) tokenize_pool_ = std::make_unique<core::ThreadPool>(threads_);
      tokenizer::TruncationOptions trunc;
      trunc.max_length = session_->max_length();
      // An empty pair is an empty second segment, as in the tokenize job (`tokenizer(texts, pairs)`).
      auto rows = runtime::encode_rows(session_->tokenizer(), text_views, pairs ? &pair_views : nullptr, trunc,
                                       runtime::EmptyPair::empty_segment, *tokenize_pool_);
      auto masks = io::attention_masks(rows, padding, trunc.max_length);
      batch = arrow::RecordBatch::Make(arrow::schema(io::token_fields()), static_cast<int64_t>(rows.size()),
                                       io::token_arrays(rows, masks));
    }
    return export_batch(*batch, "token columns");
  }

  std::string task() const { return task_name(spec_.task); }
  const std::vector<std::string>& labels() const { return spec_.labels; }
  int32_t width() const { return spec_.width; }
  int32_t max_length() const { return session_->max_length(); }
  std::string architecture() const { return session_->model_info().architecture; }
  std::string dtype() const { return dtype_; }  // "fp32" | "bf16" | "int8" (cpu), "fp16" | "bf16" (cuda)
  int32_t compat() const { return compat_; }    // 5 | 4: the transformers major whose tokenizer rules apply

  nb::dict stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    nb::dict d;
    d["tokenize_s"] = stats_.tokenize_s;
    d["infer_s"] = stats_.infer_s;
    d["tokens"] = stats_.tokens;
    d["sequences"] = stats_.sequences;
    d["batches"] = stats_.batches;
    return d;
  }

 private:
  std::unique_ptr<runtime::Session> session_;
  std::filesystem::path tokenizer_folder_;  // where tokenizer_config.json (pad token) is read
  int32_t threads_ = 0;
  std::unique_ptr<core::ThreadPool> tokenize_pool_;  // tokenize(): made on first use
  std::string dtype_;
  int32_t compat_ = 5;
  io::PredictionSchema spec_;
  std::shared_ptr<arrow::Schema> schema_;
  runtime::StageStats stats_;
  std::mutex mutex_;
};

}  // namespace
}  // namespace hfbatch::python

NB_MODULE(_core, m) {
  using hfbatch::python::Engine;
  m.doc() = "hfbatch C++ engine (see the hfbatch package for the public API)";
  nb::exception<hfbatch::Error>(m, "Error", PyExc_RuntimeError);
  m.attr("ARROW_VERSION") = arrow::GetBuildInfo().version_string;

  nb::class_<Engine>(m, "Engine")
      .def(nb::init<const std::string&, const std::optional<std::string>&, const std::string&, int32_t,
                    const std::string&, int64_t, int64_t, const std::string&, const std::string&, int32_t,
                    const std::string&, const std::vector<std::string>&, const std::string&, bool, int32_t>(),
           "model"_a, "tokenizer"_a.none(), "device"_a, "threads"_a, "task"_a, "max_length"_a, "batch_tokens"_a,
           "prefix"_a, "dtype"_a, "compat"_a, "aggregation"_a = "none",
           "candidate_labels"_a = std::vector<std::string>{}, "hypothesis_template"_a = "This example is {}.",
           "multi_label"_a = false, "top_k"_a = 0)
      .def_prop_ro("dtype", &Engine::dtype)
      .def_prop_ro("compat", &Engine::compat)
      .def("run", &Engine::run, "texts"_a, "pairs"_a.none())
      .def("tokenize", &Engine::tokenize, "texts"_a, "pairs"_a.none(), "pad_to_max_length"_a)
      .def_prop_ro("task", &Engine::task)
      .def_prop_ro("labels", &Engine::labels)
      .def_prop_ro("width", &Engine::width)
      .def_prop_ro("max_length", &Engine::max_length)
      .def_prop_ro("architecture", &Engine::architecture)
      .def("stats", &Engine::stats);
}
