#include "hfbatch/io/prediction_columns.h"

#include "hfbatch/core/error.h"
#include "hfbatch/io/arrow_status.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

std::vector<std::shared_ptr<arrow::Field>> prediction_fields(const PredictionSchema& spec) {
  const std::string& p = spec.prefix;
  if (spec.task == runtime::Task::embed) {
    return {arrow::field(p + "embedding", arrow::fixed_size_list(arrow::float32(), spec.width))};
  }
  return {arrow::field(p + "label", arrow::utf8()), arrow::field(p + "label_id", arrow::int32()),
          arrow::field(p + "score", arrow::float32()),
          arrow::field(p + "probabilities", arrow::list(arrow::float32()))};
}

std::vector<std::shared_ptr<arrow::Array>> prediction_arrays(const runtime::Predictions& pred,
                                                             const PredictionSchema& spec) {
  const std::string ctx = "building prediction columns";
  const int64_t n = pred.rows;
  const int32_t w = pred.width;
  const uint8_t* valid = pred.valid.data();

  arrow::FloatBuilder values;
  arrow_check(values.AppendValues(pred.values.data(), n * w), ctx);
  auto flat = arrow_value(values.Finish(), ctx);
  auto null_bitmap = [&]() -> std::shared_ptr<arrow::Buffer> {
    arrow::BooleanBuilder b;
    arrow_check(b.AppendValues(valid, n), ctx);
    auto arr = arrow_value(b.Finish(), ctx);
    return std::static_pointer_cast<arrow::BooleanArray>(arr)->values();
  };
  int64_t null_count = 0;
  for (int64_t i = 0; i < n; ++i) null_count += valid[i] ? 0 : 1;

  if (spec.task == runtime::Task::embed) {
    auto type = arrow::fixed_size_list(arrow::float32(), w);
    return {std::make_shared<arrow::FixedSizeListArray>(type, n, flat, null_count ? null_bitmap() : nullptr,
                                                       null_count)};
  }

  arrow::StringBuilder label;
  arrow::Int32Builder label_id;
  arrow::FloatBuilder score;
  arrow::Int32Builder offsets;
  for (int64_t i = 0; i < n; ++i) {
    arrow_check(offsets.Append(static_cast<int32_t>(i * w)), ctx);
    if (!valid[i]) {
      arrow_check(label.AppendNull(), ctx);
      arrow_check(label_id.AppendNull(), ctx);
      arrow_check(score.AppendNull(), ctx);
      continue;
    }
    const int32_t id = pred.label_id[i];
    arrow_check(label.Append(spec.labels.at(id)), ctx);
    arrow_check(label_id.Append(id), ctx);
    arrow_check(score.Append(pred.score[i]), ctx);
  }
  arrow_check(offsets.Append(static_cast<int32_t>(n * w)), ctx);
  auto offsets_array = arrow_value(offsets.Finish(), ctx);
  auto list = std::make_shared<arrow::ListArray>(
      arrow::list(arrow::float32()), n, std::static_pointer_cast<arrow::Int32Array>(offsets_array)->values(),
      flat, null_count ? null_bitmap() : nullptr, null_count);
  return {arrow_value(label.Finish(), ctx), arrow_value(label_id.Finish(), ctx),
          arrow_value(score.Finish(), ctx), list};
}

std::shared_ptr<arrow::Schema> output_schema(const arrow::Schema& input, const std::vector<std::string>& kept,
                                             const PredictionSchema& spec) {
  return output_schema(input, kept, prediction_fields(spec), "a prediction column",
                       "drop it or pass --prediction-prefix (e.g. pred_)");
}

}  // namespace hfbatch::io
