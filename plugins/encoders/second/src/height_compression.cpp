#include "height_compression.hpp"

#include <ATen/ATen.h>

namespace concord::plugins {

at::Tensor height_compression(const SparseTensor& x) {
  TORCH_CHECK(x.features.dim() == 2, "second HeightCompression: features must be [N, C], got ",
              x.features.sizes());
  const int64_t n = x.features.size(0);
  const int64_t c = x.features.size(1);
  TORCH_CHECK(x.indices.dim() == 2 && x.indices.size(0) == n && x.indices.size(1) == 4,
              "second HeightCompression: indices must be [", n, ", 4], got ", x.indices.sizes());
  const int64_t b = x.batch_size, d = x.spatial_shape[0], h = x.spatial_shape[1],
                w = x.spatial_shape[2];
  TORCH_CHECK(b >= 1 && d >= 1 && h >= 1 && w >= 1,
              "second HeightCompression: batch and grid sizes must be >= 1");
  const at::Tensor idx = x.indices.to(at::kLong);
  const at::Tensor ib = idx.select(1, 0), iz = idx.select(1, 1), iy = idx.select(1, 2),
                   ix = idx.select(1, 3);
  if (n > 0) {
    TORCH_CHECK(
        ((ib >= 0) & (ib < b) & (iz >= 0) & (iz < d) & (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w))
            .all()
            .item<bool>(),
        "second HeightCompression: a site lies outside the [", b, ", ", d, ", ", h, ", ", w,
        "] grid");
  }
  // Rows of a [B·D·H·W, C] volume: index_copy is deterministic and keeps the graph.
  const at::Tensor rows = ((ib * d + iz) * h + iy) * w + ix;
  at::Tensor dense = at::zeros({b * d * h * w, c}, x.features.options());
  dense = dense.index_copy(0, rows.to(x.features.device()), x.features);
  return dense.view({b, d, h, w, c}).permute({0, 4, 1, 2, 3}).reshape({b, c * d, h, w});
}

}  // namespace concord::plugins
