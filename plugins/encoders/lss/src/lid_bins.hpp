#pragma once
/// \file
/// Linear-increasing depth discretisation (LID) of the LSS camera encoders:
/// bin edges d_i = d_min + Δ·i(i+1)/2, Δ = 2(d_max − d_min)/(N(N+1)), so that
/// d_0 = d_min and d_N = d_max. Source: HEAL utils/camera_utils.py
/// (`depth_discretization`, `bin_depths` mode "LID");
/// reference/field-conventions.md §2.1, reference/negocollab-official-code.md §1.1.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::plugins::lss {

/// LID depth bins along the camera optical axis (planar depth, m).
/// HEAL m2/m4: d_min 2, d_max 50, count 48.
struct LidBins {
  double d_min = 2.0;   ///< lower edge of bin 0, m
  double d_max = 50.0;  ///< upper edge of bin count−1, m
  int64_t count = 48;   ///< N, number of bins

  /// Throws c10::Error unless 0 < d_min < d_max and count >= 1.
  void check() const;
  /// Δ = 2(d_max − d_min)/(N(N+1)), m.
  double delta() const;
  /// Lower edge of bin i, d_min + Δ·i(i+1)/2, m; edge(count) == d_max. No range check.
  double edge(int64_t i) const;
  /// The count lower edges [count] float32 (CPU): the depths HEAL's frustum places
  /// its points at. Throws c10::Error on invalid bins (check()).
  at::Tensor edges() const;
};

/// LID bin index of metric depths (HEAL `bin_depths(..., target=True)`):
/// floor(−0.5 + 0.5·sqrt(1 + 8(d − d_min)/Δ)), computed in float64; depths below
/// d_min go to bin 0, depths at or above d_max and non-finite ones to bin count−1.
/// depth: any shape, floating point, m. Returns int64 of the same shape and device.
/// Throws c10::Error on a non-floating depth tensor or invalid bins.
at::Tensor lid_bin_index(const at::Tensor& depth, const LidBins& bins);

}  // namespace concord::plugins::lss
