#include "anchors.hpp"

#include <ATen/ATen.h>

#include <cmath>

namespace concord::plugins::anchor_head {

namespace {
constexpr double kPi = 3.14159265358979323846;

int64_t cells(double lo, double hi, double cell, const char* axis) {
  TORCH_CHECK(cell > 0.0, "anchor grid: cell_size must be > 0, got ", cell);
  TORCH_CHECK(hi > lo, "anchor grid: empty ", axis, " range [", lo, ", ", hi, "]");
  const double n = (hi - lo) / cell;
  const double rounded = std::round(n);
  TORCH_CHECK(rounded >= 1.0 && std::abs(n - rounded) < 1e-3, "anchor grid: ", axis, " range [", lo,
              ", ", hi, "] is not a whole number of ", cell, " m cells (", n, ")");
  return static_cast<int64_t>(rounded);
}
}  // namespace

std::pair<int64_t, int64_t> grid_size(const AnchorSpec& spec) {
  TORCH_CHECK(spec.anchors_per_cell >= 1, "anchor grid: anchors_per_cell must be >= 1, got ",
              spec.anchors_per_cell);
  TORCH_CHECK(spec.l > 0.0 && spec.w > 0.0 && spec.h > 0.0,
              "anchor grid: anchor sizes must be > 0, got l ", spec.l, " w ", spec.w, " h ",
              spec.h);
  return {cells(spec.y_min, spec.y_max, spec.cell_size, "y"),
          cells(spec.x_min, spec.x_max, spec.cell_size, "x")};
}

at::Tensor make_anchors(const AnchorSpec& spec) {
  const auto [rows, cols] = grid_size(spec);
  const int64_t a = spec.anchors_per_cell;
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  // Centres in double, then one cast: float32 linspace-style drift stays below 1e-5 m.
  const at::Tensor xs = (at::arange(cols, f64) + 0.5) * spec.cell_size + spec.x_min;  // [W]
  const at::Tensor ys = (at::arange(rows, f64) + 0.5) * spec.cell_size + spec.y_min;  // [H]
  const at::Tensor yaws = at::arange(a, f64) * (kPi / static_cast<double>(a));        // [A]
  const std::vector<int64_t> shape{rows, cols, a};
  const at::Tensor cx = xs.view({1, cols, 1}).expand(shape);
  const at::Tensor cy = ys.view({rows, 1, 1}).expand(shape);
  const at::Tensor yaw = yaws.view({1, 1, a}).expand(shape);
  const at::Tensor ones = at::ones(shape, f64);
  return at::stack({cx, cy, ones * spec.z, ones * spec.h, ones * spec.w, ones * spec.l, yaw}, -1)
      .to(at::kFloat)
      .contiguous();
}

}  // namespace concord::plugins::anchor_head
