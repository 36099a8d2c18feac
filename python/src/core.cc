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
#include "hfbatch/runtime/device_choice.h"
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

runtime::Task parse_task(const std::string& task) {
  if (task == "classify") return runtime::Task::classify;
  if (task == "embed") return runtime::Task::embed;
  throw Error("task: '" + task + "' is not one of classify, embed");
}

class Engine {
 public:
  Engine(const std::string& model, const std::optional<std::string>& tokenizer, const std::string& device,
         int32_t threads, const std::string& task, int64_t max_length, int64_t batch_tokens,
         const std::string& prefix, const std::string& dtype, int32_t compat) {
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
    {
      nb::gil_scoped_release release;
      session_ = std::make_unique<runtime::Session>(options);
    }
    spec_.task = options.task;
    spec_.labels = session_->model_info().labels;
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
    auto text_views = texts_of(texts, "texts", arrays);
    std::vector<std::optional<std::string_view>> pair_views;
    if (pairs) {
      pair_views = texts_of(*pairs, "pairs", arrays);
      check(pair_views.size() == text_views.size(),
            "pairs: " + std::to_string(pair_views.size()) + " rows but texts has " +
                std::to_string(text_views.size()));
    }
    std::shared_ptr<arrow::RecordBatch> batch;
    {
      nb::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);  // one run at a time per engine; the session's pool is shared
      runtime::Predictions pred = session_->run(text_views, pairs ? &pair_views : nullptr, stats_);
      batch = arrow::RecordBatch::Make(schema_, pred.rows, io::prediction_arrays(pred, spec_));
    }
    auto* c_schema = new ArrowSchema{};
    auto* c_array = new ArrowArray{};
    arrow::Status st = arrow::ExportRecordBatch(*batch, c_array, c_schema);
    if (!st.ok()) {
      delete c_schema;
      delete c_array;
      io::arrow_check(st, "exporting predictions");
    }
    nb::object s = nb::steal(PyCapsule_New(c_schema, kSchemaCapsule, release_schema_capsule));
    nb::object a = nb::steal(PyCapsule_New(c_array, kArrayCapsule, release_array_capsule));
    return {s, a};
  }

  std::string task() const { return spec_.task == runtime::Task::classify ? "classify" : "embed"; }
  const std::vector<std::string>& labels() const { return spec_.labels; }
  int32_t width() const { return spec_.width; }
  int32_t max_length() const { return session_->max_length(); }
  std::string architecture() const { return session_->model_info().architecture; }
  std::string dtype() const { return dtype_; }  // "fp32" | "bf16" | "int8"
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
                    const std::string&, int64_t, int64_t, const std::string&, const std::string&, int32_t>(),
           "model"_a, "tokenizer"_a.none(), "device"_a, "threads"_a, "task"_a, "max_length"_a, "batch_tokens"_a,
           "prefix"_a, "dtype"_a, "compat"_a)
      .def_prop_ro("dtype", &Engine::dtype)
      .def_prop_ro("compat", &Engine::compat)
      .def("run", &Engine::run, "texts"_a, "pairs"_a.none())
      .def_prop_ro("task", &Engine::task)
      .def_prop_ro("labels", &Engine::labels)
      .def_prop_ro("width", &Engine::width)
      .def_prop_ro("max_length", &Engine::max_length)
      .def_prop_ro("architecture", &Engine::architecture)
      .def("stats", &Engine::stats);
}
