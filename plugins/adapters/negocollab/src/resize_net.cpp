#include "resize_net.hpp"

#include <ATen/ATen.h>

#include <cmath>

namespace concord::plugins::negocollab {

int64_t resized_cells(int64_t cells, double from_cell_m, double to_cell_m) {
  TORCH_CHECK(from_cell_m > 0.0 && to_cell_m > 0.0, "negocollab: cell sizes must be > 0 m, got ",
              from_cell_m, " and ", to_cell_m);
  const auto out =
      static_cast<int64_t>(std::floor(static_cast<double>(cells) * from_cell_m / to_cell_m + 1e-6));
  TORCH_CHECK(out >= 1, "negocollab: ", cells, " cells of ", from_cell_m, " m give no cell of ",
              to_cell_m, " m");
  return out;
}

ResizeNetImpl::ResizeNetImpl(int64_t in_channels, int64_t out_channels)
    : in_channels_(in_channels) {
  TORCH_CHECK(in_channels >= 1 && out_channels >= 1,
              "negocollab ResizeNet: channel counts must be >= 1, got ", in_channels, " -> ",
              out_channels);
  if (in_channels != out_channels) {
    conv_ = register_module(
        "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1)));
  }
}

at::Tensor ResizeNetImpl::forward(const at::Tensor& x, int64_t out_h, int64_t out_w) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "negocollab ResizeNet: expected [N, ",
              in_channels_, ", H, W], got ", x.sizes());
  TORCH_CHECK(out_h >= 1 && out_w >= 1, "negocollab ResizeNet: output size must be >= 1, got ",
              out_h, "x", out_w);
  const bool resize = x.size(2) != out_h || x.size(3) != out_w;
  auto interpolate = [&](const at::Tensor& t) {
    return resize ? at::upsample_bilinear2d(t, {out_h, out_w}, /*align_corners=*/false) : t;
  };
  if (!conv_) return interpolate(x);
  // Bilinear weights sum to one, so a 1x1 conv (bias included) commutes with the
  // interpolation; run the conv on the smaller grid. The official code always resizes
  // first; the result is the same up to float rounding.
  if (out_h * out_w < x.size(2) * x.size(3)) return conv_->forward(interpolate(x));
  return interpolate(conv_->forward(x));
}

}  // namespace concord::plugins::negocollab
