#include "box_coder.hpp"

#include <ATen/ATen.h>

namespace concord::plugins::anchor_head {

namespace {
void check_boxes(const at::Tensor& t, const char* what) {
  TORCH_CHECK(t.dim() >= 1 && t.size(-1) == 7, "box coder: ", what, " must be [..., 7], got ",
              t.sizes());
}
}  // namespace

at::Tensor encode_boxes(const at::Tensor& boxes, const at::Tensor& anchors) {
  check_boxes(boxes, "boxes");
  check_boxes(anchors, "anchors");
  const auto col = [](const at::Tensor& t, int64_t i) { return t.select(-1, i); };
  const at::Tensor diag =
      at::sqrt(col(anchors, 4) * col(anchors, 4) + col(anchors, 5) * col(anchors, 5));
  return at::stack(
      {(col(boxes, 0) - col(anchors, 0)) / diag, (col(boxes, 1) - col(anchors, 1)) / diag,
       (col(boxes, 2) - col(anchors, 2)) / col(anchors, 3),
       at::log(col(boxes, 3) / col(anchors, 3)), at::log(col(boxes, 4) / col(anchors, 4)),
       at::log(col(boxes, 5) / col(anchors, 5)), col(boxes, 6) - col(anchors, 6)},
      -1);
}

at::Tensor decode_boxes(const at::Tensor& deltas, const at::Tensor& anchors) {
  check_boxes(deltas, "deltas");
  check_boxes(anchors, "anchors");
  const auto col = [](const at::Tensor& t, int64_t i) { return t.select(-1, i); };
  const at::Tensor diag =
      at::sqrt(col(anchors, 4) * col(anchors, 4) + col(anchors, 5) * col(anchors, 5));
  return at::stack(
      {col(deltas, 0) * diag + col(anchors, 0), col(deltas, 1) * diag + col(anchors, 1),
       col(deltas, 2) * col(anchors, 3) + col(anchors, 2),
       at::exp(col(deltas, 3)) * col(anchors, 3), at::exp(col(deltas, 4)) * col(anchors, 4),
       at::exp(col(deltas, 5)) * col(anchors, 5), col(deltas, 6) + col(anchors, 6)},
      -1);
}

at::Tensor limit_period(const at::Tensor& val, double offset, double period) {
  return val - at::floor(val / period + offset) * period;
}

}  // namespace concord::plugins::anchor_head
