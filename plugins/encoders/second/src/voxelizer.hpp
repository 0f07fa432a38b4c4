#pragma once
/// \file
/// Voxelisation and MeanVFE of the SECOND encoder (agent type m3): LiDAR points
/// → voxels of at most M points → one mean feature per voxel.
/// Same result as HEAL's SpVoxelPreprocessor (spconv 1.2.1 `VoxelGenerator`,
/// voxel [0.1, 0.1, 0.1], max_points_per_voxel 5) after OpenCOOD's
/// `mask_points_by_range`, followed by OpenPCDet/HEAL `MeanVFE`
/// (opencood/models/sub_modules/mean_vfe.py); reference/field-conventions.md §2.1.
///
/// Algorithm (per sample, tensor ops only, on the points' device), as the
/// pointpillars pillarizer but in 3D:
///  1. keep points strictly inside the range (open bounds, NaNs fail) whose
///     voxel ix = floor((x - x_min) / s_xy), iy likewise, iz = floor((z - z_min) / s_z)
///     lies in the grid;
///  2. a stable sort by voxel id groups each voxel's points in input order;
///  3. voxels are ordered by the input position of their first point (as the
///     sequential spconv generator creates them) and the first max_voxels kept;
///  4. the first max_points points of each kept voxel go into a padded tensor.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace concord::plugins {

/// The voxel grid of an agent: range in its LiDAR frame (m), voxel sizes (m).
/// Voxel (iz, iy, ix) covers x ∈ [x_min + ix·s_xy, x_min + (ix+1)·s_xy), likewise
/// y with s_xy and z with s_z. BEV tensors put y along H and x along W (HEAL).
struct VoxelGrid {
  double x_min = 0, x_max = 0, y_min = 0, y_max = 0, z_min = 0, z_max = 0;  ///< m
  double voxel_xy = 0;                                                      ///< s_xy, m
  double voxel_z = 0;                                                       ///< s_z, m
  int64_t nx = 0;                                                           ///< voxels along x (W)
  int64_t ny = 0;                                                           ///< voxels along y (H)
  int64_t nz = 0;                                                           ///< voxels along z (D)

  /// Builds the grid. Throws c10::Error naming the offending parameter unless
  /// min < max on every axis, the sizes are > 0 and every extent is a whole
  /// multiple of its voxel size (within 1e-6 voxels).
  static VoxelGrid make(double x_min, double x_max, double y_min, double y_max, double z_min,
                        double z_max, double voxel_xy, double voxel_z);
};

/// Voxels of a batch, concatenated over samples in sample order.
struct Voxels {
  /// [N, M, 4] float32 (x, y, z in m, intensity) per slot; slots >= num_points are 0.
  at::Tensor points;
  /// [N] int64 in [1, M]: points held by each voxel.
  at::Tensor num_points;
  /// [N, 4] int32 (sample b, iz, iy, ix) of each voxel (spconv's index order).
  at::Tensor coords;
  /// B, the number of samples (some may have no voxel).
  int64_t batch_size = 0;
};

/// Voxelises B point clouds `points[b]` [N_b, 4] float32 (x, y, z in m, agent
/// LiDAR frame; intensity), N_b may be 0. Keeps at most `max_points` points per
/// voxel and `max_voxels` voxels per sample, the first ones in input order.
/// Throws c10::Error when B = 0, a tensor is not [N, 4] float32, the tensors sit
/// on different devices, or max_points / max_voxels < 1.
Voxels voxelize(const std::vector<at::Tensor>& points, const VoxelGrid& grid, int64_t max_points,
                int64_t max_voxels);

/// MeanVFE (HEAL/OpenPCDet `MeanVFE`): the mean of each voxel's real points,
/// sum over slots / max(num_points, 1). voxels.points [N, M, 4] → [N, 4] float32
/// (mean x, y, z in m, mean intensity). Differentiable; no parameters.
/// Throws c10::Error on mismatched shapes.
at::Tensor mean_vfe(const Voxels& voxels);

}  // namespace concord::plugins
