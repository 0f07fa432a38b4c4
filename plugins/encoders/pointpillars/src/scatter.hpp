#pragma once
/// \file
/// Scatter of pillar features onto the dense BEV canvas (HEAL
/// opencood/models/sub_modules/point_pillar_scatter.py `PointPillarScatter`):
/// y of the agent LiDAR frame runs along H, x along W.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::plugins {

/// Writes features[k] [C] into canvas[b, :, iy, ix] for coords[k] = (b, iy, ix);
/// cells without a pillar stay 0. features [P, C] float32, coords [P, 3] int64
/// with distinct cells (as pillarize() gives) → [batch_size, C, ny, nx] float32 on
/// the features' device; differentiable w.r.t. features.
/// Throws c10::Error on mismatched shapes or a coordinate outside the canvas.
at::Tensor scatter_to_bev(const at::Tensor& features, const at::Tensor& coords, int64_t batch_size,
                          int64_t ny, int64_t nx);

}  // namespace concord::plugins
