#include "concord/pipeline/evaluator.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "concord/eval/nms.hpp"
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

// Moves [K, 7] boxes from an agent frame into the ego frame with T_ego<-agent [4, 4].
at::Tensor boxes_to_ego(const at::Tensor& boxes, const at::Tensor& ego_from_agent) {
  if (boxes.size(0) == 0) return boxes;
  const at::Tensor t = ego_from_agent.to(at::kFloat);
  at::Tensor centres = boxes.narrow(1, 0, 3).matmul(t.narrow(0, 0, 3).narrow(1, 0, 3).t()) +
                       t.narrow(0, 0, 3).select(1, 3);
  const double yaw = std::atan2(t[1][0].item<double>(), t[0][0].item<double>());
  return at::cat({centres, boxes.narrow(1, 3, 3), boxes.narrow(1, 6, 1) + yaw}, 1);
}

}  // namespace

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
        all_boxes.push_back(boxes_to_ego(det.boxes, agent.ego_from_agent_noisy));
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
