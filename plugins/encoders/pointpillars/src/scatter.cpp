#include "scatter.hpp"

#include <ATen/ATen.h>

namespace concord::plugins {

at::Tensor scatter_to_bev(const at::Tensor& features, const at::Tensor& coords, int64_t batch_size,
                          int64_t ny, int64_t nx) {
  TORCH_CHECK(features.dim() == 2, "pointpillars scatter: features must be [P, C], got ",
              features.sizes());
  const int64_t p = features.size(0);
  const int64_t c = features.size(1);
  TORCH_CHECK(coords.dim() == 2 && coords.size(0) == p && coords.size(1) == 3 &&
                  coords.scalar_type() == at::kLong,
              "pointpillars scatter: coords must be [", p, ", 3] int64 (b, iy, ix), got ",
              coords.sizes(), " ", coords.scalar_type());
  TORCH_CHECK(batch_size >= 1 && ny >= 1 && nx >= 1,
              "pointpillars scatter: canvas sizes must be >= 1, got B ", batch_size, ", H ", ny,
              ", W ", nx);
  const at::Tensor b = coords.select(1, 0), iy = coords.select(1, 1), ix = coords.select(1, 2);
  if (p > 0) {
    TORCH_CHECK(((b >= 0) & (b < batch_size) & (iy >= 0) & (iy < ny) & (ix >= 0) & (ix < nx))
                    .all()
                    .item<bool>(),
                "pointpillars scatter: a pillar coordinate lies outside the [", batch_size, ", ",
                ny, ", ", nx, "] canvas");
  }
  // Rows of a [B·H·W, C] canvas: index_copy is deterministic and keeps the graph.
  const at::Tensor flat = (b * ny + iy) * nx + ix;
  at::Tensor canvas = at::zeros({batch_size * ny * nx, c}, features.options());
  canvas = canvas.index_copy(0, flat.to(features.device()), features);
  return canvas.view({batch_size, ny, nx, c}).permute({0, 3, 1, 2}).contiguous();
}

}  // namespace concord::plugins
