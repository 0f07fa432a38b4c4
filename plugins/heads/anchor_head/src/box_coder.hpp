#pragma once
/// \file
/// Box residual encoding of the anchor head (reference/field-conventions.md §2.3;
/// OpenCOOD `VoxelPostprocessor.generate_label` targets and `delta_to_boxes3d`).
/// Boxes are [x, y, z, h, w, l, yaw] (hwl order), ego frame, m and rad.

#include <ATen/core/Tensor.h>

namespace concord::plugins::anchor_head {

/// Residuals of `boxes` against `anchors`, both [..., 7] float (broadcastable):
/// [dx / d, dy / d, dz / h_a, log(h / h_a), log(w / w_a), log(l / l_a), yaw - yaw_a]
/// with d = sqrt(w_a^2 + l_a^2) the anchor's BEV diagonal. Returns [..., 7].
/// Sizes must be positive (log). Throws c10::Error when the last dim is not 7.
at::Tensor encode_boxes(const at::Tensor& boxes, const at::Tensor& anchors);

/// Inverse of encode_boxes: residuals [..., 7] and anchors [..., 7] (broadcastable)
/// to boxes [..., 7] [x, y, z, h, w, l, yaw] (m, rad; yaw not wrapped).
/// Differentiable in `deltas`. Throws c10::Error when the last dim is not 7.
at::Tensor decode_boxes(const at::Tensor& deltas, const at::Tensor& anchors);

/// val - floor(val / period + offset) * period: wraps into
/// [-offset * period, (1 - offset) * period) (OpenCOOD `common_utils.limit_period`).
at::Tensor limit_period(const at::Tensor& val, double offset, double period);

}  // namespace concord::plugins::anchor_head
