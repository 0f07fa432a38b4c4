#include "pillarizer.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace concord::plugins {
namespace {

// One sample's pillars: points [P, M, 4], num_points [P], cells [P] (iy * nx + ix).
struct SamplePillars {
  at::Tensor points, num_points, cells;
};

SamplePillars pillarize_one(const at::Tensor& pts, const PillarGrid& g, int64_t max_points,
                            int64_t max_pillars) {
  const auto long_opts = pts.options().dtype(at::kLong);
  const at::Tensor x = pts.select(1, 0), y = pts.select(1, 1), z = pts.select(1, 2);
  const at::Tensor fx = ((x - g.x_min) / g.pillar_size).floor();
  const at::Tensor fy = ((y - g.y_min) / g.pillar_size).floor();
  // Step 1: open range as OpenCOOD's mask_points_by_range, then the cell bounds
  // (float rounding may put a point just below x_max into cell nx).
  const at::Tensor inside = (x > g.x_min) & (x < g.x_max) & (y > g.y_min) & (y < g.y_max) &
                            (z > g.z_min) & (z < g.z_max) & (fx >= 0) & (fx < g.nx) & (fy >= 0) &
                            (fy < g.ny);
  const at::Tensor keep = inside.nonzero().squeeze(1);  // ascending = input order
  const int64_t n = keep.size(0);
  if (n == 0) {
    return {at::zeros({0, max_points, 4}, pts.options()), at::zeros({0}, long_opts),
            at::zeros({0}, long_opts)};
  }
  const at::Tensor kept = pts.index_select(0, keep);
  const at::Tensor cell =
      fy.index_select(0, keep).to(at::kLong) * g.nx + fx.index_select(0, keep).to(at::kLong);

  // Step 2: group by cell; the stable sort keeps input order inside a pillar.
  const auto sorted = at::sort(cell, /*stable=*/true, /*dim=*/0, /*descending=*/false);
  const at::Tensor& sorted_cell = std::get<0>(sorted);
  const at::Tensor& perm = std::get<1>(sorted);  // sorted position → kept position
  const auto uniq = at::unique_consecutive(sorted_cell, /*return_inverse=*/true,
                                           /*return_counts=*/true);
  const at::Tensor& cells = std::get<0>(uniq);    // [P_all], ascending cell id
  const at::Tensor& inverse = std::get<1>(uniq);  // [n] pillar of each sorted point
  const at::Tensor& counts = std::get<2>(uniq);   // [P_all]
  const at::Tensor starts = counts.cumsum(0) - counts;
  const at::Tensor rank = at::arange(n, long_opts) - starts.index_select(0, inverse);

  // Step 3: pillars in order of their first point's input position; keep max_pillars.
  const at::Tensor first_point = perm.index_select(0, starts);
  const int64_t total = cells.size(0);
  const int64_t p = std::min(total, max_pillars);
  const at::Tensor order = std::get<1>(first_point.sort()).narrow(0, 0, p);
  at::Tensor new_id = at::full({total}, -1, long_opts);  // -1 = pillar dropped
  new_id.index_copy_(0, order, at::arange(p, long_opts));

  // Step 4: the first max_points points of each kept pillar into a padded tensor.
  const at::Tensor pillar = new_id.index_select(0, inverse);
  const at::Tensor chosen = ((rank < max_points) & (pillar >= 0)).nonzero().squeeze(1);
  at::Tensor out = at::zeros({p, max_points, 4}, pts.options());
  out.index_put_({pillar.index_select(0, chosen), rank.index_select(0, chosen)},
                 kept.index_select(0, perm.index_select(0, chosen)));
  return {out, counts.index_select(0, order).clamp_max(max_points), cells.index_select(0, order)};
}

}  // namespace

PillarGrid PillarGrid::make(double x_min, double x_max, double y_min, double y_max, double z_min,
                            double z_max, double pillar_size) {
  TORCH_CHECK(x_min < x_max && y_min < y_max && z_min < z_max,
              "pointpillars: the LiDAR range needs min < max on every axis, got x [", x_min, ", ",
              x_max, "], y [", y_min, ", ", y_max, "], z [", z_min, ", ", z_max, "]");
  TORCH_CHECK(pillar_size > 0, "pointpillars: pillar_size must be > 0 m, got ", pillar_size);
  auto cells = [&](double lo, double hi, const char* axis) {
    const double exact = (hi - lo) / pillar_size;
    const double whole = std::round(exact);
    TORCH_CHECK(whole >= 1 && std::abs(exact - whole) < 1e-6, "pointpillars: the ", axis,
                " range [", lo, ", ", hi, "] m is not a whole number of ", pillar_size,
                " m pillars (", exact, ")");
    return static_cast<int64_t>(whole);
  };
  PillarGrid g;
  g.x_min = x_min;
  g.x_max = x_max;
  g.y_min = y_min;
  g.y_max = y_max;
  g.z_min = z_min;
  g.z_max = z_max;
  g.pillar_size = pillar_size;
  g.nx = cells(x_min, x_max, "x");
  g.ny = cells(y_min, y_max, "y");
  return g;
}

Pillars pillarize(const std::vector<at::Tensor>& points, const PillarGrid& grid, int64_t max_points,
                  int64_t max_pillars) {
  TORCH_CHECK(!points.empty(), "pointpillars: no sample to pillarise (B = 0)");
  TORCH_CHECK(max_points >= 1 && max_pillars >= 1,
              "pointpillars: max_points and max_pillars must be >= 1, got ", max_points, " and ",
              max_pillars);
  const at::Device device = points[0].device();
  std::vector<at::Tensor> pts, counts, coords;
  for (size_t b = 0; b < points.size(); ++b) {
    const at::Tensor& p = points[b];
    TORCH_CHECK(p.defined() && p.dim() == 2 && p.size(1) == 4 && p.scalar_type() == at::kFloat,
                "pointpillars: sample ", b,
                " points must be [N, 4] float32 (x, y, z, intensity), "
                "got ",
                p.defined() ? p.sizes() : at::IntArrayRef{}, " ",
                p.defined() ? p.scalar_type() : at::ScalarType::Undefined);
    TORCH_CHECK(p.device() == device, "pointpillars: sample ", b, " points are on ", p.device(),
                " but sample 0's on ", device);
    SamplePillars s = pillarize_one(p, grid, max_points, max_pillars);
    const at::Tensor batch = at::full_like(s.cells, static_cast<int64_t>(b));
    coords.push_back(
        at::stack({batch, s.cells.div(grid.nx, "floor"), s.cells.remainder(grid.nx)}, 1));
    pts.push_back(s.points);
    counts.push_back(s.num_points);
  }
  return Pillars{at::cat(pts), at::cat(counts), at::cat(coords),
                 static_cast<int64_t>(points.size())};
}

}  // namespace concord::plugins
