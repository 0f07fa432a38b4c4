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

eval::ApResults evaluate(CollabDetector& model, const loader::CollabLoader& loader, EvalMode mode,
                         const EvalSpec& spec, int64_t max_samples, const FrameCallback& on_frame) {
  torch::NoGradGuard no_grad;
  model.eval();
  const auto& r = loader.options().gt_range;
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
    if (boxes.size(0) > 0) {
      at::Tensor keep = eval::nms_rotated(boxes, scores, spec.nms_iou);
      boxes = boxes.index_select(0, keep);
      scores = scores.index_select(0, keep);
      at::Tensor inside = eval::range_filter(boxes, range);
      boxes = boxes.index_select(0, inside);
      scores = scores.index_select(0, inside);
    }
    evaluator.add_frame(boxes, scores, sample.gt_boxes);
    if (on_frame) on_frame(i, sample, boxes, scores);
    bar.update(i + 1);
  }
  bar.finish();
  return evaluator.compute();
}

}  // namespace concord::pipeline
