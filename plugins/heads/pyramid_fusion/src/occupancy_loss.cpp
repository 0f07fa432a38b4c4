#include "occupancy_loss.hpp"

#include <ATen/ATen.h>

#include <utility>

namespace concord::plugins::pyramid {

namespace {

/// [N, H, W, A] or [N, H, W] -> [N, 1, H, W] float32 after reducing the anchors with `any`
/// (positives) or `all` (negatives).
at::Tensor cell_map(const at::Tensor& labels, bool any) {
  at::Tensor b = labels > 0;
  if (b.dim() == 4) b = any ? b.any(3) : b.all(3);
  return b.unsqueeze(1).to(at::kFloat);
}

}  // namespace

std::pair<at::Tensor, at::Tensor> occupancy_level_targets(const at::Tensor& positives,
                                                          const at::Tensor& negatives,
                                                          int64_t downsample) {
  TORCH_CHECK(positives.defined() && negatives.defined() &&
                  (positives.dim() == 3 || positives.dim() == 4) &&
                  positives.sizes() == negatives.sizes(),
              "pyramid occupancy loss: positives and negatives must both be [N, H, W, A] or "
              "[N, H, W], got ",
              positives.defined() ? positives.sizes() : at::IntArrayRef{}, " and ",
              negatives.defined() ? negatives.sizes() : at::IntArrayRef{});
  TORCH_CHECK(downsample >= 1, "pyramid occupancy loss: downsample must be >= 1, got ", downsample);
  at::Tensor pos = cell_map(positives, /*any=*/true);
  at::Tensor neg = cell_map(negatives, /*any=*/false);
  if (downsample > 1) {
    const std::vector<int64_t> k{downsample, downsample};
    pos = at::max_pool2d(pos, k, k, {0, 0}, {1, 1}, /*ceil_mode=*/true);
    neg = 1.0 - at::max_pool2d(1.0 - neg, k, k, {0, 0}, {1, 1}, /*ceil_mode=*/true);
  }
  return {pos, neg};
}

at::Tensor sigmoid_focal_loss(const at::Tensor& logits, const at::Tensor& targets, double alpha,
                              double gamma) {
  at::Tensor ce = at::clamp_min(logits, 0) - logits * targets + at::log1p(at::exp(-logits.abs()));
  at::Tensor p = at::sigmoid(logits);
  at::Tensor p_t = targets * p + (1 - targets) * (1 - p);
  at::Tensor alpha_t = targets * alpha + (1 - targets) * (1 - alpha);
  return alpha_t * at::pow(1 - p_t, gamma) * ce;
}

at::Tensor pyramid_occupancy_loss(const std::vector<at::Tensor>& occupancy,
                                  const at::Tensor& positives, const at::Tensor& negatives,
                                  const PyramidOccupancyLossOptions& options) {
  TORCH_CHECK(!occupancy.empty() && occupancy.size() == options.relative_downsample.size() &&
                  occupancy.size() == options.level_weights.size(),
              "pyramid occupancy loss: ", occupancy.size(), " occupancy levels but ",
              options.relative_downsample.size(), " relative_downsample and ",
              options.level_weights.size(), " level_weights");
  at::Tensor total;
  for (size_t l = 0; l < occupancy.size(); ++l) {
    const auto [pos, neg] =
        occupancy_level_targets(positives, negatives, options.relative_downsample[l]);
    const at::Tensor& logits = occupancy[l];
    TORCH_CHECK(logits.defined() && logits.sizes() == pos.sizes(), "pyramid occupancy loss: level ",
                l, " logits must be ", pos.sizes(), " (targets downsampled by ",
                options.relative_downsample[l], "), got ",
                logits.defined() ? logits.sizes() : at::IntArrayRef{});
    const int64_t agents = logits.size(0);
    at::Tensor pos_d = pos.to(logits.device(), logits.scalar_type());
    at::Tensor neg_d = neg.to(logits.device(), logits.scalar_type());
    // Per-agent positive count, clamped to >= 1 (HEAL pos_normalizer).
    at::Tensor normalizer = at::clamp_min(pos_d.sum({1, 2, 3}, /*keepdim=*/true), 1.0);
    at::Tensor weights = (pos_d * options.pos_cls_weight + neg_d) / normalizer;
    at::Tensor level =
        (sigmoid_focal_loss(logits, pos_d, options.focal_alpha, options.focal_gamma) * weights)
            .sum() /
        static_cast<double>(agents) * options.level_weights[l];
    total = total.defined() ? total + level : level;
  }
  return total;
}

}  // namespace concord::plugins::pyramid
