#pragma once
/// \file
/// Element-wise loss functions of the anchor head (reference/field-conventions.md §2.4;
/// OpenCOOD/HEAL `loss/point_pillar_loss.py`). All are differentiable in their
/// predictions and return unreduced tensors; the head applies weights and normalisation.

#include <ATen/core/Tensor.h>

#include <utility>

namespace concord::plugins::anchor_head {

/// Sigmoid focal loss per element: alpha_t (1 - p_t)^gamma CE(logits, targets),
/// with p = sigmoid(logits), p_t = p for target 1 and 1 - p for target 0,
/// alpha_t = alpha for target 1 and 1 - alpha for target 0, and CE the
/// numerically stable sigmoid cross-entropy max(x, 0) - x t + log1p(exp(-|x|))
/// (OpenCOOD `sigmoid_focal_loss`). logits and targets: same shape, float.
at::Tensor sigmoid_focal_loss(const at::Tensor& logits, const at::Tensor& targets, double alpha,
                              double gamma);

/// Smooth-L1 per element with switch point 1 / sigma^2: 0.5 (sigma d)^2 when
/// |d| <= 1 / sigma^2, else |d| - 0.5 / sigma^2, d = pred - target
/// (OpenCOOD `weighted_smooth_l1_loss` without the weights). Same shapes.
at::Tensor smooth_l1(const at::Tensor& pred, const at::Tensor& target, double sigma);

/// SECOND's sin-difference encoding of the yaw residual (column 6 of [..., 7]):
/// returns (pred with sin(p6) cos(t6), target with cos(p6) sin(t6)), so that
/// their difference is sin(p6 - t6) (OpenCOOD `add_sin_difference`).
/// Throws c10::Error when the last dim is not 7.
std::pair<at::Tensor, at::Tensor> add_sin_difference(const at::Tensor& pred,
                                                     const at::Tensor& target);

/// Softmax cross-entropy per row: logits [..., K] float, labels [...] int64 in
/// [0, K); returns [...] (HEAL `softmax_cross_entropy_with_logits`).
at::Tensor softmax_cross_entropy(const at::Tensor& logits, const at::Tensor& labels);

}  // namespace concord::plugins::anchor_head
