#pragma once
/// \file
/// Pillarisation: LiDAR points → pillars (vertical voxels) of at most M points.
/// Same result as HEAL's SpVoxelPreprocessor (spconv 1.2.1 `VoxelGenerator`
/// with voxel [s, s, z_max - z_min]) after OpenCOOD's `mask_points_by_range`
/// (opencood/utils/pcd_utils.py); reference/field-conventions.md §2.1.
///
/// Algorithm (per sample, tensor ops only, on the points' device):
///  1. keep points with x_min < x < x_max, y_min < y < y_max, z_min < z < z_max
///     (open range as mask_points_by_range; NaNs fail the test) whose cell
///     ix = floor((x - x_min) / s), iy = floor((y - y_min) / s) lies in the grid;
///  2. cell id = iy * nx + ix; a *stable* sort by cell id groups each pillar's
///     points while keeping their input order; unique_consecutive gives the
///     pillars, their point counts and each point's rank inside its pillar;
///  3. pillars are ordered by the input position of their first point (as the
///     sequential spconv generator creates them) and the first max_pillars kept;
///  4. the first max_points points of each kept pillar (by input order) are
///     written into a zero-padded [P, max_points, 4] tensor.
/// The output is a pure function of the input (no randomness, no atomics).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace concord::plugins {

/// The pillar grid of an agent: range in its LiDAR frame (m) and square pillars.
/// Cell (iy, ix) covers x ∈ [x_min + ix·s, x_min + (ix+1)·s), likewise y; a
/// pillar spans the whole z range. BEV tensors put y along H and x along W
/// (HEAL point_pillar_scatter.py).
struct PillarGrid {
  double x_min = 0, x_max = 0, y_min = 0, y_max = 0, z_min = 0, z_max = 0;  ///< m
  double pillar_size = 0;                                                   ///< s, m
  int64_t nx = 0;                                                           ///< cells along x = W
  int64_t ny = 0;                                                           ///< cells along y = H

  /// Builds the grid. Throws c10::Error unless min < max on every axis, s > 0
  /// and both horizontal extents are whole multiples of s (within 1e-6 cells).
  static PillarGrid make(double x_min, double x_max, double y_min, double y_max, double z_min,
                         double z_max, double pillar_size);
};

/// Pillars of a batch, concatenated over samples in sample order.
struct Pillars {
  /// [P, M, 4] float32 (x, y, z, intensity) per slot; slots >= num_points are 0.
  at::Tensor points;
  /// [P] int64 in [1, M]: points held by each pillar.
  at::Tensor num_points;
  /// [P, 3] int64 (sample index b, iy, ix) of each pillar; samples in order.
  at::Tensor coords;
  /// B, the number of samples (some may have no pillar).
  int64_t batch_size = 0;
};

/// Pillarises B point clouds `points[b]` [N_b, 4] float32 (x, y, z in m, agent
/// LiDAR frame; intensity), N_b may be 0. Keeps at most `max_points` points per
/// pillar and `max_pillars` pillars per sample, the first ones in input order.
/// Throws c10::Error when a tensor is not [N, 4] float32, when the tensors sit
/// on different devices, or when max_points / max_pillars < 1.
Pillars pillarize(const std::vector<at::Tensor>& points, const PillarGrid& grid, int64_t max_points,
                  int64_t max_pillars);

}  // namespace concord::plugins
