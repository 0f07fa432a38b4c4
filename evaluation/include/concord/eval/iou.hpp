#pragma once
/// \file
/// Rotated bird's-eye-view IoU of 7-value boxes.
/// Source: reference/field-conventions.md §3 ("IoU is BEV, rotated"); mirrors OpenCOOD
/// `utils/common_utils.py:convert_format` + `compute_iou` (Shapely polygons of the 4
/// bottom corners, area(intersection) / area(union), no height term). Here the
/// polygons are Boost.Geometry polygons.

#include <cstddef>
#include <vector>

#include <ATen/core/Tensor.h>

#include "concord/eval/box_geometry.hpp"

namespace concord::eval {

/// Rotated BEV IoU of two boxes (same frame), in [0, 1]: area(A ∩ B) / area(A ∪ B) of
/// their bev_corners footprints. Degenerate boxes (see has_bev_area) give 0 instead of
/// OpenCOOD's division by zero. Accuracy about 1e-6 absolute at worst: Boost 1.74's robust
/// overlay snaps to an integer grid (OpenCOOD's float32 corners and IoUs are no finer;
/// matching and NMS compare in float32 like OpenCOOD). Throws std::runtime_error if
/// Boost.Geometry's overlay fails (not expected for rectangles).
double bev_iou(const Box7& a, const Box7& b);

/// Dense row-major IoU matrix: value(i, j) = bev_iou(rows[i], cols[j]).
struct IouMatrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;  ///< rows * cols entries, row-major
  /// Entry (i, j); no bounds check.
  double operator()(std::size_t i, std::size_t j) const { return values[i * cols + j]; }
};

/// Pairwise rotated BEV IoU of `a` (N boxes) against `b` (M boxes): an N x M matrix.
/// Footprints are built once per box and pairs whose bounding rectangles do not
/// overlap are skipped (IoU 0). Throws as bev_iou.
IouMatrix bev_iou_matrix(const std::vector<Box7>& a, const std::vector<Box7>& b);

/// Tensor form: `a` [N, 7], `b` [M, 7], floating point (float32 expected), any device,
/// same frame. Returns [N, M] float32 on the CPU. Throws std::invalid_argument when an
/// input is not a defined [K, 7] floating-point tensor.
at::Tensor bev_iou_matrix(const at::Tensor& a, const at::Tensor& b);

}  // namespace concord::eval
