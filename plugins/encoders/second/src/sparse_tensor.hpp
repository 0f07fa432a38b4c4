#pragma once
/// \file
/// Sparse voxel tensor of the SECOND backbone: the features of the active sites
/// of a [B, D, H, W] grid and their integer coordinates (spconv 1.2.1
/// `SparseConvTensor`, without its indice-key cache).

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>

namespace concord::plugins {

/// Spatial grid size (D, H, W) = (z, y, x) voxels.
using Shape3 = std::array<int64_t, 3>;

/// Active sites of a batch of 3D grids.
struct SparseTensor {
  /// [N, C] float32: the features of the N active sites.
  at::Tensor features;
  /// [N, 4] int32 (sample b, z, y, x) of each site; distinct, 0 <= z < D etc.
  at::Tensor indices;
  /// (D, H, W) of the grid.
  Shape3 spatial_shape{0, 0, 0};
  /// B, the number of samples.
  int64_t batch_size = 0;
};

}  // namespace concord::plugins
