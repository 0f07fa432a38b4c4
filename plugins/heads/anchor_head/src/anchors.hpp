#pragma once
/// \file
/// Anchor boxes of the anchor head, one set per cell of the head's BEV grid
/// (reference/field-conventions.md §2.3; OpenCOOD/HEAL
/// `VoxelPostprocessor.generate_anchor_box`).

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::plugins::anchor_head {

/// Geometry of the head's BEV grid and of its anchors. The grid is the head's
/// feature-map grid: HEAL places anchors at `linspace(min + vw, max - vw, W / stride)`
/// with voxel `vw` = 0.4 m and stride 2, i.e. at the centres of the 0.8 m cells
/// of the feature map the head sees.
struct AnchorSpec {
  double x_min = -102.4;         ///< m, ego LiDAR frame; BEV range (HEAL OPV2V training range)
  double y_min = -51.2;          ///< m
  double x_max = 102.4;          ///< m
  double y_max = 51.2;           ///< m
  double cell_size = 0.8;        ///< m per feature-map cell (anchor spacing)
  int64_t anchors_per_cell = 2;  ///< A; anchor k has yaw k * pi / A (A = 2: 0 and 90 deg)
  double l = 3.9;                ///< m, anchor length (along the heading)
  double w = 1.6;                ///< m, anchor width
  double h = 1.56;               ///< m, anchor height
  double z = -1.0;               ///< m, anchor centre height (HEAL's hard-coded cz)
};

/// Feature-map size {H, W} of the grid: H = (y_max - y_min) / cell_size rows
/// along y, W = (x_max - x_min) / cell_size columns along x. Throws c10::Error
/// when the range is empty, the cell or a size not positive, A < 1, or a side
/// is not a whole number of cells (tolerance 1e-3 cell).
std::pair<int64_t, int64_t> grid_size(const AnchorSpec& spec);

/// Anchors [H, W, A, 7] float32 (CPU), boxes [x, y, z, h, w, l, yaw] in the ego
/// frame (m, rad): anchor (r, c, k) is centred at (x_min + (c + 0.5) cell,
/// y_min + (r + 0.5) cell, z) with yaw k * pi / A. The [H, W, A] order matches
/// the head's outputs permuted to [B, H, W, A] (OpenCOOD's anchor layout).
/// Throws c10::Error as grid_size.
at::Tensor make_anchors(const AnchorSpec& spec);

}  // namespace concord::plugins::anchor_head
