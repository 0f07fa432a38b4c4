#include "concord/geometry/bev_warp.hpp"

#include <ATen/ATen.h>

namespace concord {

at::Tensor bev_affine_theta(const at::Tensor& src_from_dst, const BevGrid& grid) {
  TORCH_CHECK(src_from_dst.dim() == 3 && src_from_dst.size(1) == 4 && src_from_dst.size(2) == 4,
              "bev_affine_theta: expected [N, 4, 4] transforms, got ", src_from_dst.sizes());
  const at::Tensor t = src_from_dst.to(at::kDouble);
  const double sx = grid.width() * grid.resolution / 2.0;
  const double sy = grid.height() * grid.resolution / 2.0;
  const double cx = (grid.x_min + grid.x_max) / 2.0;
  const double cy = (grid.y_min + grid.y_max) / 2.0;
  const at::Tensor r00 = t.select(1, 0).select(1, 0), r01 = t.select(1, 0).select(1, 1);
  const at::Tensor r10 = t.select(1, 1).select(1, 0), r11 = t.select(1, 1).select(1, 1);
  const at::Tensor t0 = t.select(1, 0).select(1, 3), t1 = t.select(1, 1).select(1, 3);
  // u' = (r00 (cx + u sx) + r01 (cy + v sy) + t0 - cx) / sx, likewise v'.
  at::Tensor row0 = at::stack({r00, r01 * (sy / sx), (r00 * cx + r01 * cy + t0 - cx) / sx}, 1);
  at::Tensor row1 = at::stack({r10 * (sx / sy), r11, (r10 * cx + r11 * cy + t1 - cy) / sy}, 1);
  return at::stack({row0, row1}, 1).to(at::kFloat);
}

at::Tensor warp_bev(const at::Tensor& features, const at::Tensor& src_from_dst, const BevGrid& grid,
                    const std::string& mode) {
  TORCH_CHECK(features.dim() == 4, "warp_bev: expected [N, C, H, W], got ", features.sizes());
  TORCH_CHECK(features.size(2) == grid.height() && features.size(3) == grid.width(),
              "warp_bev: features ", features.sizes(), " do not match the grid ", grid.str());
  TORCH_CHECK(src_from_dst.size(0) == features.size(0), "warp_bev: ", src_from_dst.size(0),
              " transforms for ", features.size(0), " maps");
  TORCH_CHECK(mode == "bilinear" || mode == "nearest",
              "warp_bev: mode must be bilinear or nearest, got ", mode);
  const at::Tensor theta =
      bev_affine_theta(src_from_dst, grid).to(features.device(), features.scalar_type());
  const at::Tensor sample_grid = at::affine_grid_generator(theta, features.sizes(), false);
  // grid_sampler modes: 0 bilinear, 1 nearest; padding 0 zeros.
  return at::grid_sampler(features, sample_grid, mode == "bilinear" ? 0 : 1, 0, false);
}

at::Tensor warp_bev_mask(const at::Tensor& src_from_dst, const BevGrid& grid) {
  const int64_t n = src_from_dst.size(0);
  at::Tensor ones = at::ones({n, 1, grid.height(), grid.width()},
                             at::TensorOptions().dtype(at::kFloat).device(src_from_dst.device()));
  return warp_bev(ones, src_from_dst, grid, "nearest");
}

}  // namespace concord
