#include "voxelizer.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace concord::plugins {
namespace {

// One sample's voxels: points [N, M, 4], num_points [N], cells [N] ((iz·ny + iy)·nx + ix).
struct SampleVoxels {
  at::Tensor points, num_points, cells;
};

SampleVoxels voxelize_one(const at::Tensor& pts, const VoxelGrid& g, int64_t max_points,
                          int64_t max_voxels) {
  const auto long_opts = pts.options().dtype(at::kLong);
  const at::Tensor x = pts.select(1, 0), y = pts.select(1, 1), z = pts.select(1, 2);
  const at::Tensor fx = ((x - g.x_min) / g.voxel_xy).floor();
  const at::Tensor fy = ((y - g.y_min) / g.voxel_xy).floor();
  const at::Tensor fz = ((z - g.z_min) / g.voxel_z).floor();
  // Step 1: open range (OpenCOOD mask_points_by_range), then the voxel bounds
  // (float rounding may put a point just below x_max into voxel nx).
  const at::Tensor inside = (x > g.x_min) & (x < g.x_max) & (y > g.y_min) & (y < g.y_max) &
                            (z > g.z_min) & (z < g.z_max) & (fx >= 0) & (fx < g.nx) & (fy >= 0) &
                            (fy < g.ny) & (fz >= 0) & (fz < g.nz);
  const at::Tensor keep = inside.nonzero().squeeze(1);  // ascending = input order
  const int64_t n = keep.size(0);
  if (n == 0) {
    return {at::zeros({0, max_points, 4}, pts.options()), at::zeros({0}, long_opts),
            at::zeros({0}, long_opts)};
  }
  const at::Tensor kept = pts.index_select(0, keep);
  const at::Tensor cell =
      (fz.index_select(0, keep).to(at::kLong) * g.ny + fy.index_select(0, keep).to(at::kLong)) *
          g.nx +
      fx.index_select(0, keep).to(at::kLong);

  // Step 2: group by voxel; the stable sort keeps input order inside a voxel.
  const auto sorted = at::sort(cell, /*stable=*/true, /*dim=*/0, /*descending=*/false);
  const at::Tensor& sorted_cell = std::get<0>(sorted);
  const at::Tensor& perm = std::get<1>(sorted);
  const auto uniq = at::unique_consecutive(sorted_cell, /*return_inverse=*/true,
                                           /*return_counts=*/true);
  const at::Tensor& cells = std::get<0>(uniq);
  const at::Tensor& inverse = std::get<1>(uniq);
  const at::Tensor& counts = std::get<2>(uniq);
  const at::Tensor starts = counts.cumsum(0) - counts;
  const at::Tensor rank = at::arange(n, long_opts) - starts.index_select(0, inverse);

  // Step 3: voxels in order of their first point's input position; keep max_voxels.
  const at::Tensor first_point = perm.index_select(0, starts);
  const int64_t total = cells.size(0);
  const int64_t v = std::min(total, max_voxels);
  const at::Tensor order = std::get<1>(first_point.sort()).narrow(0, 0, v);
  at::Tensor new_id = at::full({total}, -1, long_opts);  // -1 = voxel dropped
  new_id.index_copy_(0, order, at::arange(v, long_opts));

  // Step 4: the first max_points points of each kept voxel into a padded tensor.
  const at::Tensor voxel = new_id.index_select(0, inverse);
  const at::Tensor chosen = ((rank < max_points) & (voxel >= 0)).nonzero().squeeze(1);
  at::Tensor out = at::zeros({v, max_points, 4}, pts.options());
  out.index_put_({voxel.index_select(0, chosen), rank.index_select(0, chosen)},
                 kept.index_select(0, perm.index_select(0, chosen)));
  return {out, counts.index_select(0, order).clamp_max(max_points), cells.index_select(0, order)};
}

}  // namespace

VoxelGrid VoxelGrid::make(double x_min, double x_max, double y_min, double y_max, double z_min,
                          double z_max, double voxel_xy, double voxel_z) {
  TORCH_CHECK(x_min < x_max && y_min < y_max && z_min < z_max,
              "second: the LiDAR range needs min < max on every axis, got x [", x_min, ", ", x_max,
              "], y [", y_min, ", ", y_max, "], z [", z_min, ", ", z_max, "]");
  TORCH_CHECK(voxel_xy > 0, "second: voxel_size_xy must be > 0 m, got ", voxel_xy);
  TORCH_CHECK(voxel_z > 0, "second: voxel_size_z must be > 0 m, got ", voxel_z);
  auto cells = [](double lo, double hi, double size, const char* axis, const char* param) {
    const double exact = (hi - lo) / size;
    const double whole = std::round(exact);
    TORCH_CHECK(whole >= 1 && std::abs(exact - whole) < 1e-6, "second: the ", axis, " range [", lo,
                ", ", hi, "] m is not a whole number of ", param, " = ", size, " m voxels (", exact,
                ")");
    return static_cast<int64_t>(whole);
  };
  VoxelGrid g;
  g.x_min = x_min;
  g.x_max = x_max;
  g.y_min = y_min;
  g.y_max = y_max;
  g.z_min = z_min;
  g.z_max = z_max;
  g.voxel_xy = voxel_xy;
  g.voxel_z = voxel_z;
  g.nx = cells(x_min, x_max, voxel_xy, "x", "voxel_size_xy");
  g.ny = cells(y_min, y_max, voxel_xy, "y", "voxel_size_xy");
  g.nz = cells(z_min, z_max, voxel_z, "z", "voxel_size_z");
  return g;
}

Voxels voxelize(const std::vector<at::Tensor>& points, const VoxelGrid& grid, int64_t max_points,
                int64_t max_voxels) {
  TORCH_CHECK(!points.empty(), "second: no sample to voxelise (B = 0)");
  TORCH_CHECK(max_points >= 1 && max_voxels >= 1,
              "second: max_points_per_voxel and max_voxels must be >= 1, got ", max_points, " and ",
              max_voxels);
  const at::Device device = points[0].device();
  std::vector<at::Tensor> pts, counts, coords;
  for (size_t b = 0; b < points.size(); ++b) {
    const at::Tensor& p = points[b];
    TORCH_CHECK(p.defined() && p.dim() == 2 && p.size(1) == 4 && p.scalar_type() == at::kFloat,
                "second: sample ", b, " points must be [N, 4] float32 (x, y, z, intensity), got ",
                p.defined() ? p.sizes() : at::IntArrayRef{}, " ",
                p.defined() ? p.scalar_type() : at::ScalarType::Undefined);
    TORCH_CHECK(p.device() == device, "second: sample ", b, " points are on ", p.device(),
                " but sample 0's on ", device);
    SampleVoxels s = voxelize_one(p, grid, max_points, max_voxels);
    const at::Tensor plane = s.cells.remainder(grid.ny * grid.nx);
    coords.push_back(at::stack({at::full_like(s.cells, static_cast<int64_t>(b)),
                                s.cells.div(grid.ny * grid.nx, "floor"),
                                plane.div(grid.nx, "floor"), plane.remainder(grid.nx)},
                               1)
                         .to(at::kInt));
    pts.push_back(s.points);
    counts.push_back(s.num_points);
  }
  return Voxels{at::cat(pts), at::cat(counts), at::cat(coords),
                static_cast<int64_t>(points.size())};
}

at::Tensor mean_vfe(const Voxels& voxels) {
  const at::Tensor& pts = voxels.points;
  TORCH_CHECK(pts.dim() == 3 && pts.size(2) == 4,
              "second MeanVFE: voxel points must be [N, M, 4], got ", pts.sizes());
  TORCH_CHECK(voxels.num_points.sizes() == at::IntArrayRef{pts.size(0)},
              "second MeanVFE: num_points must be [N] for N = ", pts.size(0), ", got ",
              voxels.num_points.sizes());
  // Padded slots are zero, so the slot sum is the sum of the real points.
  const at::Tensor count =
      voxels.num_points.to(pts.scalar_type()).clamp_min(1.0).view({pts.size(0), 1});
  return pts.sum(1) / count;
}

}  // namespace concord::plugins
