#pragma once
/// \file
/// LSS frustum geometry ("lift" positions): every stride-s image patch × every LID
/// depth bin → a 3-D point in the agent LiDAR frame. Source: HEAL
/// models/lift_splat_shoot.py (`create_frustum`, `get_geometry`);
/// reference/negocollab-official-code.md §1.1.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::plugins::lss {

/// Pixel coordinate of the centre of feature cell j at the given stride, px:
/// s·j + (s − 1)/2 (pixel centres at integer coordinates, as Concord's simulated
/// cameras and OpenCV). HEAL spaces its frustum columns by linspace(0, W−1, fW),
/// which is the same grid up to < 1 px.
double patch_centre(int64_t j, int64_t stride);

/// Frustum points in the agent LiDAR frame.
///  - intrinsics: [B, Ncam, 3, 3] float pinhole K in pixels of the image the
///    features were computed from;
///  - camera_to_lidar: [B, Ncam, 4, 4] float, camera (OpenCV axes: x right, y down,
///    z forward) → agent LiDAR frame, m;
///  - depths: [D] float planar depths along the optical axis (camera z), m —
///    LidBins::edges() in the encoder;
///  - feat_h, feat_w: the feature map size; stride: image px per feature cell.
/// Returns [B, Ncam, D, feat_h, feat_w, 3] (x, y, z in m, LiDAR frame) with the
/// dtype/device of intrinsics: p = T·(d·K⁻¹·[u, v, 1]ᵀ) with u = patch_centre(w),
/// v = patch_centre(h). Vectorised, no gradient through K or T is needed.
/// Throws c10::Error on wrong shapes or non-positive sizes.
at::Tensor frustum_points(const at::Tensor& intrinsics, const at::Tensor& camera_to_lidar,
                          const at::Tensor& depths, int64_t feat_h, int64_t feat_w, int64_t stride);

}  // namespace concord::plugins::lss
