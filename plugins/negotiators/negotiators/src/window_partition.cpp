#include "window_partition.hpp"

#include <ATen/ATen.h>

namespace concord::plugins::negotiators {

at::Tensor partition_windows(const at::Tensor& x, int64_t window, WindowLayout layout) {
  TORCH_CHECK(x.dim() == 4 && window >= 1 && x.size(1) % window == 0 && x.size(2) % window == 0,
              "window partition: expected [N, H, W, C] with H, W multiples of ", window, ", got ",
              x.sizes());
  const int64_t n = x.size(0), c = x.size(3);
  const int64_t rows = x.size(1) / window, cols = x.size(2) / window;
  at::Tensor v;
  if (layout == WindowLayout::kLocal) {
    // [N, X, i, Y, j, C] -> [N, X, Y, i, j, C]
    v = x.reshape({n, rows, window, cols, window, c}).permute({0, 1, 3, 2, 4, 5});
  } else {
    // [N, i, X, j, Y, C] -> [N, X, Y, i, j, C]
    v = x.reshape({n, window, rows, window, cols, c}).permute({0, 2, 4, 1, 3, 5});
  }
  return v.reshape({n * rows * cols, window * window, c});
}

at::Tensor merge_windows(const at::Tensor& windows, int64_t batch, int64_t height, int64_t width,
                         int64_t window, WindowLayout layout) {
  TORCH_CHECK(window >= 1 && height % window == 0 && width % window == 0 && windows.dim() == 3 &&
                  windows.size(0) == batch * (height / window) * (width / window) &&
                  windows.size(1) == window * window,
              "window merge: ", windows.sizes(), " are not the ", window, "x", window,
              " windows of a [", batch, ", ", height, ", ", width, ", C] map");
  const int64_t c = windows.size(2);
  const int64_t rows = height / window, cols = width / window;
  at::Tensor v = windows.reshape({batch, rows, cols, window, window, c});
  if (layout == WindowLayout::kLocal) {
    v = v.permute({0, 1, 3, 2, 4, 5});  // [N, X, i, Y, j, C]
  } else {
    v = v.permute({0, 3, 1, 4, 2, 5});  // [N, i, X, j, Y, C]
  }
  return v.reshape({batch, height, width, c});
}

}  // namespace concord::plugins::negotiators
