#pragma once
/// \file
/// LSS "splat": sum-pooling of lifted frustum features into a BEV grid with one
/// z cell. Source: HEAL models/lift_splat_shoot.py (`voxel_pooling`, cumsum
/// trick; here index_add_), reference/negocollab-official-code.md §1.1 (zbound
/// [-10, 10, 20]: a single z cell).

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::plugins::lss {

/// The splat grid, agent LiDAR frame, m. BEV layout [B, C, ny, nx]: W along x,
/// H along y; cell (h, w) is centred at x = x_min + (w + 0.5)·cell_size,
/// y = y_min + (h + 0.5)·cell_size. Bounds are half-open: [min, max).
struct BevGrid {
  double x_min = -38.4, x_max = 38.4;  ///< x range (forward), m
  double y_min = -38.4, y_max = 38.4;  ///< y range, m
  double z_min = -10.0, z_max = 10.0;  ///< the single z cell
  double cell_size = 0.4;              ///< m per BEV cell (x and y)
  int64_t nx = 192;                    ///< cells along x (W)
  int64_t ny = 192;                    ///< cells along y (H)

  /// Builds a grid, deriving nx, ny. Throws c10::Error when a max is not above
  /// its min, cell_size <= 0, or an x/y extent is not a whole number of cells
  /// (tolerance 1e-6 cell).
  static BevGrid make(double x_min, double x_max, double y_min, double y_max, double z_min,
                      double z_max, double cell_size);
};

/// Sum-pools point features into the grid.
///  - features: [B, P, C] float (lifted features, may require grad);
///  - points: [B, P, 3] float, x, y, z in m, agent LiDAR frame (frustum_points).
/// A point lands in cell (floor((y − y_min)/cell), floor((x − x_min)/cell)) of
/// its sample; points outside [x_min, x_max) × [y_min, y_max) × [z_min, z_max)
/// or non-finite are dropped. Returns [B, C, ny, nx] float (0 where no point
/// falls), differentiable w.r.t. features (index_add).
/// Throws c10::Error on mismatched shapes.
at::Tensor splat_to_bev(const at::Tensor& features, const at::Tensor& points, const BevGrid& grid);

}  // namespace concord::plugins::lss
