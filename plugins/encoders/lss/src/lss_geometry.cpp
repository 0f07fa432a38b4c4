// Parameter-free lift-splat geometry: LID bins (lid_bins.hpp), frustum points
// (frustum.hpp) and the BEV splat (bev_splat.hpp). One translation unit for the
// three headers to keep the plugin's compile time low.
#include <ATen/ATen.h>

#include <cmath>
#include <vector>

#include "bev_splat.hpp"
#include "frustum.hpp"
#include "lid_bins.hpp"

namespace concord::plugins::lss {

// ---------------------------------------------------------------- LID bins

void LidBins::check() const {
  TORCH_CHECK(d_min > 0.0 && d_max > d_min, "LID bins: need 0 < d_min < d_max, got d_min ", d_min,
              " m, d_max ", d_max, " m");
  TORCH_CHECK(count >= 1, "LID bins: count must be >= 1, got ", count);
}

double LidBins::delta() const {
  return 2.0 * (d_max - d_min) / (static_cast<double>(count) * static_cast<double>(count + 1));
}

double LidBins::edge(int64_t i) const {
  const double k = static_cast<double>(i);
  return d_min + delta() * k * (k + 1.0) / 2.0;
}

at::Tensor LidBins::edges() const {
  check();
  at::Tensor i = at::arange(count, at::kDouble);
  return (d_min + delta() * i * (i + 1.0) / 2.0).to(at::kFloat);
}

at::Tensor lid_bin_index(const at::Tensor& depth, const LidBins& bins) {
  bins.check();
  TORCH_CHECK(depth.is_floating_point(), "lid_bin_index: depth must be floating point, got ",
              depth.scalar_type());
  at::Tensor d = depth.to(at::kDouble);
  at::Tensor idx = (-0.5 + 0.5 * at::sqrt(1.0 + 8.0 * (d - bins.d_min) / bins.delta())).floor();
  // Below d_min the sqrt argument is < 1 (index < 0) or negative (NaN): bin 0.
  idx = at::where(d < bins.d_min, at::zeros_like(idx), idx);
  idx = at::where(at::isfinite(idx), idx, at::full_like(idx, static_cast<double>(bins.count - 1)));
  return idx.clamp(0.0, static_cast<double>(bins.count - 1)).to(at::kLong);
}

// ---------------------------------------------------------------- frustum

double patch_centre(int64_t j, int64_t stride) {
  return static_cast<double>(stride * j) + 0.5 * static_cast<double>(stride - 1);
}

at::Tensor frustum_points(const at::Tensor& intrinsics, const at::Tensor& camera_to_lidar,
                          const at::Tensor& depths, int64_t feat_h, int64_t feat_w,
                          int64_t stride) {
  TORCH_CHECK(intrinsics.dim() == 4 && intrinsics.size(2) == 3 && intrinsics.size(3) == 3,
              "frustum: intrinsics must be [B, Ncam, 3, 3], got ", intrinsics.sizes());
  TORCH_CHECK(camera_to_lidar.dim() == 4 && camera_to_lidar.size(0) == intrinsics.size(0) &&
                  camera_to_lidar.size(1) == intrinsics.size(1) && camera_to_lidar.size(2) == 4 &&
                  camera_to_lidar.size(3) == 4,
              "frustum: camera_to_lidar must be [B, Ncam, 4, 4] like intrinsics ",
              intrinsics.sizes(), ", got ", camera_to_lidar.sizes());
  TORCH_CHECK(depths.dim() == 1 && depths.numel() >= 1, "frustum: depths must be [D], got ",
              depths.sizes());
  TORCH_CHECK(feat_h >= 1 && feat_w >= 1 && stride >= 1,
              "frustum: feature size and stride must be >= 1, got ", feat_h, "x", feat_w,
              ", stride ", stride);
  const auto opts = intrinsics.options();
  const int64_t b = intrinsics.size(0);
  const int64_t n = intrinsics.size(1);
  const int64_t d = depths.numel();
  const double offset = patch_centre(0, stride);
  at::Tensor u = at::arange(feat_w, opts).mul(static_cast<double>(stride)).add(offset);
  at::Tensor v = at::arange(feat_h, opts).mul(static_cast<double>(stride)).add(offset);
  at::Tensor z = depths.to(opts).view({d, 1, 1});
  // Homogeneous pixel rays scaled by depth: (u·d, v·d, d), [D, h, w, 3].
  const std::vector<int64_t> shape{d, feat_h, feat_w};
  at::Tensor pix = at::stack({(u.view({1, 1, feat_w}) * z).expand(shape),
                              (v.view({1, feat_h, 1}) * z).expand(shape), z.expand(shape)},
                             -1);
  at::Tensor k = intrinsics.to(at::kDouble);
  at::Tensor t = camera_to_lidar.to(at::kDouble);
  // M = R · K⁻¹ in float64 (badly scaled K in float32 loses mm), then back.
  at::Tensor m = at::matmul(t.narrow(2, 0, 3).narrow(3, 0, 3), at::linalg_inv(k)).to(opts);
  at::Tensor trans = t.narrow(2, 0, 3).select(3, 3).to(opts);  // [B, N, 3]
  at::Tensor pts = at::matmul(m, pix.reshape({-1, 3}).t());    // [B, N, 3, P]
  pts = pts + trans.unsqueeze(-1);
  return pts.transpose(2, 3).reshape({b, n, d, feat_h, feat_w, 3});
}

// ---------------------------------------------------------------- BEV splat

BevGrid BevGrid::make(double x_min, double x_max, double y_min, double y_max, double z_min,
                      double z_max, double cell_size) {
  TORCH_CHECK(cell_size > 0.0, "BEV grid: cell_size must be > 0 m, got ", cell_size);
  TORCH_CHECK(x_max > x_min && y_max > y_min && z_max > z_min,
              "BEV grid: every max must exceed its min, got x [", x_min, ", ", x_max, "), y [",
              y_min, ", ", y_max, "), z [", z_min, ", ", z_max, ") m");
  BevGrid g;
  g.x_min = x_min;
  g.x_max = x_max;
  g.y_min = y_min;
  g.y_max = y_max;
  g.z_min = z_min;
  g.z_max = z_max;
  g.cell_size = cell_size;
  const double fx = (x_max - x_min) / cell_size;
  const double fy = (y_max - y_min) / cell_size;
  g.nx = static_cast<int64_t>(std::llround(fx));
  g.ny = static_cast<int64_t>(std::llround(fy));
  TORCH_CHECK(std::abs(fx - static_cast<double>(g.nx)) < 1e-6 &&
                  std::abs(fy - static_cast<double>(g.ny)) < 1e-6,
              "BEV grid: x extent ", x_max - x_min, " m and y extent ", y_max - y_min,
              " m must be whole multiples of the cell size ", cell_size, " m");
  return g;
}

at::Tensor splat_to_bev(const at::Tensor& features, const at::Tensor& points, const BevGrid& grid) {
  TORCH_CHECK(features.dim() == 3, "splat: features must be [B, P, C], got ", features.sizes());
  TORCH_CHECK(points.dim() == 3 && points.size(2) == 3 && points.size(0) == features.size(0) &&
                  points.size(1) == features.size(1),
              "splat: points must be [B, P, 3] with B, P of features ", features.sizes(), ", got ",
              points.sizes());
  const int64_t b = features.size(0);
  const int64_t p = features.size(1);
  const int64_t c = features.size(2);
  at::Tensor x = points.select(2, 0);
  at::Tensor y = points.select(2, 1);
  at::Tensor z = points.select(2, 2);
  at::Tensor ix = ((x - grid.x_min) / grid.cell_size).floor();
  at::Tensor iy = ((y - grid.y_min) / grid.cell_size).floor();
  // Comparisons are false for NaN, so non-finite points are dropped too.
  at::Tensor keep = (ix >= 0) & (ix < static_cast<double>(grid.nx)) & (iy >= 0) &
                    (iy < static_cast<double>(grid.ny)) & (z >= grid.z_min) & (z < grid.z_max);
  at::Tensor sample = at::arange(b, points.options().dtype(at::kLong)).view({b, 1});
  at::Tensor cell = sample * (grid.ny * grid.nx) +
                    at::where(keep, iy, at::zeros_like(iy)).to(at::kLong) * grid.nx +
                    at::where(keep, ix, at::zeros_like(ix)).to(at::kLong);
  at::Tensor kept = keep.reshape({-1}).nonzero().squeeze(1);
  at::Tensor src = features.reshape({b * p, c}).index_select(0, kept);
  at::Tensor dst = cell.reshape({-1}).index_select(0, kept);
  at::Tensor bev = at::zeros({b * grid.ny * grid.nx, c}, features.options()).index_add(0, dst, src);
  return bev.view({b, grid.ny, grid.nx, c}).permute({0, 3, 1, 2}).contiguous();
}

}  // namespace concord::plugins::lss
