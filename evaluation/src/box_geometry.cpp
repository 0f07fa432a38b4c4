#include "concord/eval/box_geometry.hpp"

#include <cmath>

#include <ATen/ops/empty.h>

#include "concord/eval/tensor_convert.hpp"

namespace concord::eval {

std::array<Point2, 4> bev_corners(const Box7& box) {
  const double half_l = 0.5 * box[kL];
  const double half_w = 0.5 * box[kW];
  const double c = std::cos(box[kYaw]);
  const double s = std::sin(box[kYaw]);
  // Object-frame corners (+x along l), OpenCOOD's bottom-face template order.
  const double local[4][2] = {
      {half_l, -half_w}, {half_l, half_w}, {-half_l, half_w}, {-half_l, -half_w}};
  std::array<Point2, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    const double lx = local[i][0];
    const double ly = local[i][1];
    out[i] = {box[kX] + c * lx - s * ly, box[kY] + s * lx + c * ly};
  }
  return out;
}

std::array<Point3, 8> corners_3d(const Box7& box) {
  const std::array<Point2, 4> bev = bev_corners(box);
  const double z_bottom = box[kZ] - 0.5 * box[kH];
  const double z_top = box[kZ] + 0.5 * box[kH];
  std::array<Point3, 8> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    out[i] = {bev[i][0], bev[i][1], z_bottom};
    out[i + 4] = {bev[i][0], bev[i][1], z_top};
  }
  return out;
}

bool has_bev_area(const Box7& box) {
  for (double v : box) {
    if (!std::isfinite(v)) return false;
  }
  return box[kL] != 0.0 && box[kW] != 0.0;
}

namespace {

/// [K, n, d] float32 CPU tensor from per-box corner arrays.
template <std::size_t N, std::size_t D, typename Fn>
at::Tensor corners_tensor(const at::Tensor& boxes, Fn corners_of) {
  const std::vector<Box7> plain = boxes_from_tensor(boxes);
  at::Tensor out = at::empty(
      {static_cast<int64_t>(plain.size()), static_cast<int64_t>(N), static_cast<int64_t>(D)},
      at::TensorOptions().dtype(at::kFloat));
  float* dst = out.data_ptr<float>();
  for (const Box7& box : plain) {
    const std::array<std::array<double, D>, N> corners = corners_of(box);
    for (const auto& corner : corners) {
      for (double v : corner) *dst++ = static_cast<float>(v);
    }
  }
  return out;
}

}  // namespace

at::Tensor bev_corners(const at::Tensor& boxes) {
  return corners_tensor<4, 2>(boxes, [](const Box7& b) { return bev_corners(b); });
}

at::Tensor corners_3d(const at::Tensor& boxes) {
  return corners_tensor<8, 3>(boxes, [](const Box7& b) { return corners_3d(b); });
}

}  // namespace concord::eval
