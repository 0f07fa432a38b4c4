#pragma once
/// \file
/// Depth supervision of the LSS camera encoders: LID bin targets at the feature
/// resolution from metric depth images, and the softmax focal loss (α 0.25, γ 2)
/// on the encoder's depth logits. Source: HEAL loss/point_pillar_depth_loss.py
/// (`FocalLoss`), models/sub_modules/lss_submodule.py (`get_gt_depth_dist`);
/// reference/field-conventions.md §2.4, reference/negocollab-official-code.md §1.1.

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "lid_bins.hpp"

namespace concord::plugins::lss {

/// Per-feature-cell depth targets.
struct DepthTargets {
  at::Tensor bins;   ///< [N, h, w] int64 LID bin index (0 where invalid)
  at::Tensor valid;  ///< [N, h, w] bool: the patch holds at least one measurement
};

/// Targets at the feature resolution. depth_images: [N, H, W] float planar depth
/// along the optical axis, m, with 0 (or any value <= 0, or non-finite) = no
/// measurement; N = B·Ncam in the encoder's camera order. Each feature cell (i, j)
/// covers pixels [s·i, s·i + s) × [s·j, s·j + s) (clipped to the image); its target
/// is the minimum valid depth of that patch (the nearest surface, unlike HEAL's
/// single centre pixel), clamped to [d_min, d_max] and binned with lid_bin_index.
/// Throws c10::Error unless depth_images is 3-D floating point and
/// feat_h == ceil(H / stride), feat_w == ceil(W / stride).
DepthTargets lid_depth_targets(const at::Tensor& depth_images, int64_t feat_h, int64_t feat_w,
                               int64_t stride, const LidBins& bins);

/// Softmax focal loss of the depth logits (HEAL FocalLoss): per cell
/// −α·(1 − p_t)^γ·log p_t with p_t = softmax(logits)[target bin], averaged over the
/// valid cells (0, still attached to the graph, when none is valid).
///  - depth_logits: [N, D, h, w] float (EncoderOutput::depth_logits), D == bins.count;
///  - depth_images: [N, H, W] float metric depth, m, 0 = no measurement;
///  - stride: image px per feature cell (8 for both LSS trunks).
/// Returns a scalar float tensor. Throws c10::Error on shape mismatches (see
/// lid_depth_targets) or D != bins.count.
at::Tensor depth_focal_loss(const at::Tensor& depth_logits, const at::Tensor& depth_images,
                            const LidBins& bins, int64_t stride = 8, double alpha = 0.25,
                            double gamma = 2.0);

}  // namespace concord::plugins::lss
