#pragma once
/// \file
/// Moving boxes between agent frames with the 4x4 poses of a CollabSample.

#include <ATen/core/Tensor.h>

namespace concord::loader {

/// Boxes [K, 7] float32 [x, y, z, h, w, l, yaw] (m, rad) in frame `src` → frame
/// `dst`, with dst_from_src [4, 4] (float32 or float64, T_dst←src): centres are
/// transformed, yaw gains the transform's rotation about z (roll and pitch of the
/// transform are ignored, as OpenCOOD's box projection). K may be 0. Throws
/// c10::Error on other shapes.
at::Tensor boxes_to_frame(const at::Tensor& boxes, const at::Tensor& dst_from_src);

/// Rows of boxes [K, 7] whose centre lies inside [x_min, x_max) × [y_min, y_max) (m).
at::Tensor boxes_with_centre_in(const at::Tensor& boxes, double x_min, double x_max, double y_min,
                                double y_max);

}  // namespace concord::loader
