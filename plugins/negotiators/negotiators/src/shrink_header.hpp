#pragma once
/// \file
/// The negotiator's shrink header (eq. 13): the official `DownsampleConv` with one DoubleConv
/// (kernel 3, stride 1, padding 1); reference sheet §1.4.

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace concord::plugins::negotiators {

/// 3x3 conv (bias) + ReLU, 3x3 conv (bias) + ReLU: [N, in, H, W] -> [N, out, H, W] float32,
/// non-negative. PyTorch's default conv init (the official code leaves it at the default).
class ShrinkHeaderImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count is < 1.
  ShrinkHeaderImpl(int64_t in_channels, int64_t out_channels);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
};
TORCH_MODULE(ShrinkHeader);

}  // namespace concord::plugins::negotiators
