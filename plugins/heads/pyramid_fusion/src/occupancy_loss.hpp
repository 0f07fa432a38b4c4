#pragma once
/// \file
/// HEAL's pyramid occupancy loss (`loss/point_pillar_pyramid_loss.py` calc_occ_loss with
/// `sigmoid_focal_loss` of `loss/point_pillar_loss.py`; reference/field-conventions.md §2.4).
///
/// How the trainer uses it (no plugin link needed: the inputs are FusionOutput.occupancy
/// and the anchor targets):
///  - occupancy[l]: the pyramid fusion's per-agent logits [N, 1, ceil(H / c_l), ceil(W / c_l)],
///    N = sum(agents_per_sample), c_l = cumulative stride of level l ([1, 2, 4] at the
///    defaults = HEAL's relative_downsample), H x W = the fusion input grid = the anchor grid.
///  - positives / negatives: each agent's OWN anchor labels (HEAL's `_single` targets: the
///    boxes that agent observes, `supervise_single: true`), but expressed in the sample's
///    ego frame on the H x W grid, because Concord's fusion input is already warped into the
///    ego frame: [N, H, W, A] (A anchors per cell, HEAL pos_equal_one / neg_equal_one) or
///    [N, H, W]; > 0 means true.
///  - target of level l: a cell is positive if any anchor of any fine cell in its c_l x c_l
///    block is positive (max-pool), negative if every anchor of every fine cell is negative
///    (min-pool); ceil mode when H or W is not a multiple of c_l.
///  - loss = sum_l weight_l * sum(focal(logit, pos) * (pos_cls_weight * pos + neg) /
///    max(1, positives of that agent at level l)) / N, with the sigmoid focal loss
///    alpha_t (1 - p_t)^gamma CE (alpha 0.25, gamma 2, pos_cls_weight 2, weights [0.4, 0.2,
///    0.1] in HEAL's configs).
///  - cells outside an agent's view (valid == 0) are, as in HEAL's own-frame labels, plain
///    negatives; to ignore them instead, zero both positives and negatives there (a cell that
///    is neither positive nor negative has weight 0).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace concord::plugins::pyramid {

/// Hyper-parameters of the pyramid occupancy loss (HEAL `loss.args.pyramid` and `cls`).
struct PyramidOccupancyLossOptions {
  std::vector<int64_t> relative_downsample{1, 2, 4};  ///< c_l of each level (grid cells)
  std::vector<double> level_weights{0.4, 0.2, 0.1};   ///< weight of each level's term
  double pos_cls_weight = 2.0;                        ///< weight of positive cells (negatives 1)
  double focal_alpha = 0.25;                          ///< focal loss alpha
  double focal_gamma = 2.0;                           ///< focal loss gamma
};

/// Level targets of one downsample factor. positives / negatives: [N, H, W, A] or [N, H, W]
/// (any dtype, > 0 = true). Returns {positives, negatives} as float32 0/1 maps
/// [N, 1, ceil(H / c), ceil(W / c)]: positive = any anchor of any fine cell of the c x c block
/// positive; negative = all of them negative. Throws c10::Error when the shapes differ, are
/// not 3-D / 4-D, or c < 1.
std::pair<at::Tensor, at::Tensor> occupancy_level_targets(const at::Tensor& positives,
                                                          const at::Tensor& negatives,
                                                          int64_t downsample);

/// Sigmoid focal loss per element (HEAL `sigmoid_focal_loss` without the weights):
/// alpha_t (1 - p_t)^gamma (max(x, 0) - x t + log1p(exp(-|x|))), p = sigmoid(x),
/// p_t = t p + (1 - t)(1 - p), alpha_t = t alpha + (1 - t)(1 - alpha). logits and targets:
/// same shape, float32 (targets 0/1). Returns that shape, differentiable in the logits.
at::Tensor sigmoid_focal_loss(const at::Tensor& logits, const at::Tensor& targets, double alpha,
                              double gamma);

/// The pyramid occupancy loss (see the file comment). occupancy: L logits
/// [N, 1, ceil(H / c_l), ceil(W / c_l)] float32; positives / negatives: [N, H, W, A] or
/// [N, H, W]. Returns a scalar float32, differentiable in the logits. Throws c10::Error when
/// the number of levels differs from options.relative_downsample / level_weights or a
/// level's shape does not match its targets.
at::Tensor pyramid_occupancy_loss(const std::vector<at::Tensor>& occupancy,
                                  const at::Tensor& positives, const at::Tensor& negatives,
                                  const PyramidOccupancyLossOptions& options = {});

}  // namespace concord::plugins::pyramid
