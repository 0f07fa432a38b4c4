#pragma once
/// \file
/// ResizeNet: moves a BEV feature between grids and channel counts (NegoCollab
/// `sub_modules/resize_net.py`, method "conv"; reference/negocollab-official-code.md
/// §1.2 step 1 and §1.3 step 5).

#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace concord::plugins::negocollab {

/// Number of cells of one grid axis after a change of cell size:
/// floor(cells * from_cell_m / to_cell_m) (the official `int(ratio * size)`), with a
/// 1e-6 tolerance so that exact ratios in binary floating point do not round down.
/// Throws c10::Error when a cell size is <= 0 or the result is < 1.
int64_t resized_cells(int64_t cells, double from_cell_m, double to_cell_m);

/// [N, in_channels, H, W] -> [N, out_channels, out_h, out_w]: bilinear interpolation
/// (align_corners false, as `F.interpolate`'s default) when (H, W) != (out_h, out_w),
/// a 1x1 conv (with bias) when the channel counts differ, the input itself otherwise.
/// Zero parameters when in_channels == out_channels.
class ResizeNetImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count is < 1.
  ResizeNetImpl(int64_t in_channels, int64_t out_channels);
  /// x: [N, in_channels, H, W] float32. Throws c10::Error on another rank or channel
  /// count, or out_h/out_w < 1.
  at::Tensor forward(const at::Tensor& x, int64_t out_h, int64_t out_w);

 private:
  int64_t in_channels_;
  torch::nn::Conv2d conv_{nullptr};
};
TORCH_MODULE(ResizeNet);

}  // namespace concord::plugins::negocollab
