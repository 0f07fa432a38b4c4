#pragma once
/// \file
/// HeightCompression (OpenPCDet/HEAL `HeightCompression`, map_to_bev): densify a
/// sparse [B, C, D, H, W] volume and fold its depth into channels, giving the
/// BEV map the 2D backbone consumes.

#include <ATen/core/Tensor.h>

#include "sparse_tensor.hpp"

namespace concord::plugins {

/// Dense BEV [B, C·D, H, W] float32 of `x` (features [N, C], grid (D, H, W)):
/// channel c·D + d holds feature c of depth d (HEAL `dense().view(N, C*D, H, W)`),
/// H runs along y and W along x of the agent LiDAR frame; inactive sites are 0.
/// Differentiable w.r.t. x.features. Throws c10::Error on mismatched shapes or a
/// site outside the grid.
at::Tensor height_compression(const SparseTensor& x);

}  // namespace concord::plugins
