#include "concord/loader/box_frames.hpp"

#include <ATen/ATen.h>

#include <cmath>

namespace concord::loader {

at::Tensor boxes_to_frame(const at::Tensor& boxes, const at::Tensor& dst_from_src) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 7, "boxes_to_frame: boxes must be [K, 7], got ",
              boxes.sizes());
  TORCH_CHECK(dst_from_src.dim() == 2 && dst_from_src.size(0) == 4 && dst_from_src.size(1) == 4,
              "boxes_to_frame: transform must be [4, 4], got ", dst_from_src.sizes());
  if (boxes.size(0) == 0) return boxes;
  const at::Tensor t = dst_from_src.to(boxes.options());
  const at::Tensor rot = t.narrow(0, 0, 3).narrow(1, 0, 3);
  const at::Tensor centres = boxes.narrow(1, 0, 3).matmul(rot.t()) + t.narrow(0, 0, 3).select(1, 3);
  const double yaw = std::atan2(t[1][0].item<double>(), t[0][0].item<double>());
  return at::cat({centres, boxes.narrow(1, 3, 3), boxes.narrow(1, 6, 1) + yaw}, 1);
}

at::Tensor boxes_with_centre_in(const at::Tensor& boxes, double x_min, double x_max, double y_min,
                                double y_max) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 7,
              "boxes_with_centre_in: boxes must be [K, 7], got ", boxes.sizes());
  const at::Tensor x = boxes.select(1, 0), y = boxes.select(1, 1);
  const at::Tensor keep = (x >= x_min) & (x < x_max) & (y >= y_min) & (y < y_max);
  return boxes.index_select(0, keep.nonzero().squeeze(1));
}

}  // namespace concord::loader
