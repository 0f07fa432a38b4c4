#include "concord/pipeline/evaluator.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "concord/eval/nms.hpp"
#include "concord/loader/box_frames.hpp"
#include "concord/progress.hpp"

namespace concord::pipeline {

std::string to_string(EvalMode mode) {
  switch (mode) {
    case EvalMode::kNoFusion:
      return "no_fusion";
    case EvalMode::kLateFusion:
      return "late_fusion";
    case EvalMode::kIntermediate:
      return "intermediate";
  }
  return "?";
}

namespace {

/// Drops non-finite boxes, then NMS, then the range filter (OpenCOOD post-processing
/// order). boxes [K, 7] float32 (ego frame, m/rad), scores [K]; both filtered in place.
void postprocess(at::Tensor& boxes, at::Tensor& scores, const EvalSpec& spec,
                 const eval::BoxRange& range) {
  if (boxes.size(0) == 0) return;
  // A diverging model decodes overflowing sizes (exp of a large regression output);
  // such boxes have no polygon, so they are dropped before the rotated-IoU NMS.
  at::Tensor finite = at::isfinite(boxes).all(1).logical_and(at::isfinite(scores));
  if (!finite.all().item<bool>()) {
    const at::Tensor rows = finite.nonzero().view({-1});
    boxes = boxes.index_select(0, rows);
    scores = scores.index_select(0, rows);
    if (boxes.size(0) == 0) return;
  }
  at::Tensor keep = eval::nms_rotated(boxes, scores, spec.nms_iou);
  boxes = boxes.index_select(0, keep);
  scores = scores.index_select(0, keep);
  at::Tensor inside = eval::range_filter(boxes, range);
  boxes = boxes.index_select(0, inside);
  scores = scores.index_select(0, inside);
}

}  // namespace

eval::ApResults evaluate_hetero(HeteroCollab& collab, const HeteroLoader& loader, HeteroMode mode,
                                const EvalSpec& spec, const formats::Range6& r, int64_t max_samples,
                                const FrameCallback& on_frame) {
  torch::NoGradGuard no_grad;
  eval::BoxRange range{r[0], r[1], r[3], r[4], r[2], r[5]};
  eval::ApEvaluator evaluator;
  const std::size_t n =
      max_samples > 0 ? std::min<std::size_t>(loader.size(), max_samples) : loader.size();
  ProgressBar bar(n, "eval " + to_string(mode));
  for (std::size_t i = 0; i < n; ++i) {
    const HeteroSample sample = loader.get(i);
    Detections d = collab.detect(sample, mode, spec.score_threshold);
    postprocess(d.boxes, d.scores, spec, range);
    evaluator.add_frame(d.boxes, d.scores, sample.ego_sample().gt_boxes);
    if (on_frame) {
      loader::CollabSample view = sample.ego_sample();
      for (std::size_t k = 0; k < view.agents.size(); ++k) view.agents[k] = sample.agent(k);
      on_frame(i, view, d.boxes, d.scores);
    }
    bar.update(i + 1);
  }
  bar.finish();
  return evaluator.compute();
}

eval::ApResults evaluate(CollabDetector& model, const loader::SampleSource& loader, EvalMode mode,
                         const EvalSpec& spec, int64_t max_samples, const FrameCallback& on_frame) {
  torch::NoGradGuard no_grad;
  model.eval();
  const formats::Range6 r = loader.gt_range();
  eval::BoxRange range{r[0], r[1], r[3], r[4], r[2], r[5]};
  eval::ApEvaluator evaluator;
  const std::size_t n =
      max_samples > 0 ? std::min<std::size_t>(loader.size(), max_samples) : loader.size();
  ProgressBar bar(n, "eval " + to_string(mode));
  for (std::size_t i = 0; i < n; ++i) {
    const auto sample = loader.get(i);
    at::Tensor boxes, scores;
    if (mode == EvalMode::kLateFusion) {
      std::vector<at::Tensor> all_boxes, all_scores;
      for (const auto& agent : sample.agents) {
        auto det = model.head().decode(model.forward_single(agent), spec.score_threshold)[0];
        all_boxes.push_back(loader::boxes_to_frame(det.boxes, agent.ego_from_agent_noisy));
        all_scores.push_back(det.scores);
      }
      boxes = at::cat(all_boxes);
      scores = at::cat(all_scores);
    } else {
      const auto out = model.forward(
          sample, mode == EvalMode::kNoFusion ? FusionMode::kNone : FusionMode::kIntermediate);
      auto det = model.head().decode(out.head, spec.score_threshold)[0];
      boxes = det.boxes;
      scores = det.scores;
    }
    postprocess(boxes, scores, spec, range);
    evaluator.add_frame(boxes, scores, sample.gt_boxes);
    if (on_frame) on_frame(i, sample, boxes, scores);
    bar.update(i + 1);
  }
  bar.finish();
  return evaluator.compute();
}

ValidationScores validate(CollabDetector& model, const loader::SampleSource& loader,
                          const EvalSpec& spec, bool with_ap) {
  torch::NoGradGuard no_grad;
  model.eval();
  const formats::Range6 r = loader.gt_range();
  const eval::BoxRange range{r[0], r[1], r[3], r[4], r[2], r[5]};
  eval::ApEvaluator evaluator;
  double sum = 0.0;
  for (std::size_t i = 0; i < loader.size(); ++i) {
    const auto sample = loader.get(i);
    const auto out = model.forward(sample, FusionMode::kIntermediate);
    sum += model.loss(out, sample).at("total").item<double>();
    if (!with_ap) continue;
    auto det = model.head().decode(out.head, spec.score_threshold)[0];
    postprocess(det.boxes, det.scores, spec, range);
    evaluator.add_frame(det.boxes, det.scores, sample.gt_boxes);
  }
  model.train();
  ValidationScores scores;
  scores.loss = loader.size() ? sum / static_cast<double>(loader.size()) : 0.0;
  if (with_ap) scores.ap50 = evaluator.compute().ap_at(0.5);
  return scores;
}

}  // namespace concord::pipeline
