#pragma once
/// \file
/// ConvNeXt trunk of the "Convext" negotiator (paper Table 8; Liu et al., "A ConvNet for the
/// 2020s", 2022). The block is the one NegoCollab uses in its sender/receiver recombiner
/// (`feature_alignnet_modules.ConvNeXtBlock`, reference sheet §1.2 step 2).

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "shared_trunk_negotiator.hpp"

namespace concord::plugins::negotiators {

/// One ConvNeXt block on [N, C, H, W] float32 (shape kept): k x k depthwise conv (padding k/2,
/// bias), to NHWC, LayerNorm (eps 1e-6), Linear C -> rC, GELU, Linear rC -> C, layer scale
/// gamma (init `layer_scale_init`, 1e-6 in ConvNeXt), back to NCHW, residual add. No drop path.
class ConvNeXtBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels or mlp_ratio < 1 or kernel_size is not odd.
  ConvNeXtBlockImpl(int64_t channels, int64_t kernel_size, int64_t mlp_ratio,
                    double layer_scale_init);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d dwconv_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  at::Tensor gamma_;
};
TORCH_MODULE(ConvNeXtBlock);

/// `blocks` ConvNeXt blocks: [N, C, H, W] -> [N, C, H, W].
class ConvNeXtTrunk : public Trunk {
 public:
  /// Throws c10::Error when blocks < 1 (see ConvNeXtBlockImpl for the rest).
  ConvNeXtTrunk(int64_t channels, int64_t blocks, int64_t kernel_size, int64_t mlp_ratio,
                double layer_scale_init);
  at::Tensor forward(const at::Tensor& x) override;

 private:
  std::vector<ConvNeXtBlock> blocks_;
};

}  // namespace concord::plugins::negotiators
