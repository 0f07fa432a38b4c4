#pragma once
/// \file
/// 7-value boxes and their corners (bird's-eye view and 3-D).
/// Source: reference/field-conventions.md §3 (IoU from the bottom-face corners) and
/// OpenCOOD `utils/box_utils.py:boxes_to_corners_3d(order='hwl')`.

#include <array>
#include <cstddef>
#include <vector>

#include <ATen/core/Tensor.h>

namespace concord::eval {

/// One box [x, y, z, h, w, l, yaw] in OpenCOOD `hwl` order (object_bbx_center):
/// (x, y, z) box centre (m), h/w/l full height/width/length (m), yaw (rad) about +z,
/// measured from +x toward +y; l lies along the heading. Frame: ego LiDAR.
/// Compatible with concord::formats::Box7::to_array().
using Box7 = std::array<double, 7>;

/// Indices into a Box7.
enum Box7Field : std::size_t { kX = 0, kY, kZ, kH, kW, kL, kYaw };

/// A point in the BEV plane (x, y), metres.
using Point2 = std::array<double, 2>;
/// A 3-D point (x, y, z), metres.
using Point3 = std::array<double, 3>;

/// The 4 BEV corners (m, same frame as the box), counter-clockwise, in the order of
/// OpenCOOD's bottom face: 0 (+l/2, -w/2), 1 (+l/2, +w/2), 2 (-l/2, +w/2),
/// 3 (-l/2, -w/2) in the object frame, rotated by yaw and shifted to (x, y).
/// No validation: degenerate sizes give coincident corners.
std::array<Point2, 4> bev_corners(const Box7& box);

/// The 8 corners (m): 0-3 the bottom face (z - h/2) in bev_corners order, 4-7 the top
/// face (z + h/2) above them. Mirrors OpenCOOD `boxes_to_corners_3d(order='hwl')`.
std::array<Point3, 8> corners_3d(const Box7& box);

/// Whether the box has finite values and a non-zero BEV footprint (l != 0, w != 0).
/// Degenerate boxes have IoU 0 with everything.
bool has_bev_area(const Box7& box);

/// Tensor form of bev_corners. `boxes`: [K, 7] floating point (float32 expected), any
/// device. Returns [K, 4, 2] float32 on the CPU. Throws std::invalid_argument when
/// `boxes` is not a defined [K, 7] floating-point tensor.
at::Tensor bev_corners(const at::Tensor& boxes);

/// Tensor form of corners_3d. `boxes`: [K, 7] floating point, any device. Returns
/// [K, 8, 3] float32 on the CPU. Throws std::invalid_argument as bev_corners.
at::Tensor corners_3d(const at::Tensor& boxes);

}  // namespace concord::eval
