#include "hfbatch/io/prediction_columns.h"

#include "hfbatch/core/error.h"
#include "hfbatch/io/arrow_status.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

std::shared_ptr<arrow::DataType> entity_type() {
  return arrow::struct_({arrow::field("entity", arrow::utf8()), arrow::field("score", arrow::float32()),
                         arrow::field("word", arrow::utf8()), arrow::field("start", arrow::int32()),
                         arrow::field("end", arrow::int32())});
}

// token_classify: entities list<struct<entity, score, word, start, end>>.
std::shared_ptr<arrow::Array> entity_lists(const runtime::Predictions& pred, const std::string& ctx) {
  auto entity = std::make_shared<arrow::StructBuilder>(
      entity_type(), arrow::default_memory_pool(),
      std::vector<std::shared_ptr<arrow::ArrayBuilder>>{std::make_shared<arrow::StringBuilder>(),
                                                        std::make_shared<arrow::FloatBuilder>(),
                                                        std::make_shared<arrow::StringBuilder>(),
                                                        std::make_shared<arrow::Int32Builder>(),
                                                        std::make_shared<arrow::Int32Builder>()});
  arrow::ListBuilder list(arrow::default_memory_pool(), entity, arrow::list(entity_type()));
  auto& name = static_cast<arrow::StringBuilder&>(*entity->child_builder(0));
  auto& score = static_cast<arrow::FloatBuilder&>(*entity->child_builder(1));
  auto& word = static_cast<arrow::StringBuilder&>(*entity->child_builder(2));
  auto& start = static_cast<arrow::Int32Builder&>(*entity->child_builder(3));
  auto& end = static_cast<arrow::Int32Builder&>(*entity->child_builder(4));
  for (int64_t i = 0; i < pred.rows; ++i) {
    if (!pred.valid[i]) {
      arrow_check(list.AppendNull(), ctx);
      continue;
    }
    arrow_check(list.Append(), ctx);
    for (const runtime::Entity& e : pred.entities[i]) {
      arrow_check(entity->Append(), ctx);
      arrow_check(name.Append(e.entity), ctx);
      arrow_check(score.Append(e.score), ctx);
      arrow_check(word.Append(e.word), ctx);
      arrow_check(start.Append(e.start), ctx);
      arrow_check(end.Append(e.end), ctx);
    }
  }
  return arrow_value(list.Finish(), ctx);
}

// zero_shot: labels list<string> + scores list<float32>; sparse_embed: indices list<int32> + values list<float32>.
std::vector<std::shared_ptr<arrow::Array>> ranked_lists(const runtime::Predictions& pred, const PredictionSchema& spec,
                                                        const std::string& ctx) {
  const bool zero_shot = spec.task == runtime::Task::zero_shot;
  std::shared_ptr<arrow::ArrayBuilder> key_values;
  if (zero_shot) key_values = std::make_shared<arrow::StringBuilder>();
  else key_values = std::make_shared<arrow::Int32Builder>();
  auto weights = std::make_shared<arrow::FloatBuilder>();
  arrow::ListBuilder keys(arrow::default_memory_pool(), key_values);
  arrow::ListBuilder values(arrow::default_memory_pool(), weights);
  for (int64_t i = 0; i < pred.rows; ++i) {
    if (!pred.valid[i]) {
      arrow_check(keys.AppendNull(), ctx);
      arrow_check(values.AppendNull(), ctx);
      continue;
    }
    arrow_check(keys.Append(), ctx);
    arrow_check(values.Append(), ctx);
    for (int32_t k : pred.ranked[i]) {
      if (zero_shot) arrow_check(static_cast<arrow::StringBuilder&>(*key_values).Append(spec.labels.at(k)), ctx);
      else arrow_check(static_cast<arrow::Int32Builder&>(*key_values).Append(k), ctx);
    }
    arrow_check(weights->AppendValues(pred.ranked_values[i]), ctx);
  }
  return {arrow_value(keys.Finish(), ctx), arrow_value(values.Finish(), ctx)};
}

}  // namespace

std::vector<std::shared_ptr<arrow::Field>> prediction_fields(const PredictionSchema& spec) {
  const std::string& p = spec.prefix;
  switch (spec.task) {
    case runtime::Task::token_classify: return {arrow::field(p + "entities", arrow::list(entity_type()))};
    case runtime::Task::zero_shot:
      return {arrow::field(p + "labels", arrow::list(arrow::utf8())), arrow::field(p + "scores", arrow::list(arrow::float32()))};
    case runtime::Task::sparse_embed:
      return {arrow::field(p + "indices", arrow::list(arrow::int32())), arrow::field(p + "values", arrow::list(arrow::float32()))};
    default: break;
  }
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
  if (spec.task == runtime::Task::token_classify) return {entity_lists(pred, ctx)};
  if (spec.task == runtime::Task::zero_shot || spec.task == runtime::Task::sparse_embed) return ranked_lists(pred, spec, ctx);
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
