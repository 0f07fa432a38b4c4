#pragma once
/// \file
/// ConvNeXt recombiner of the sender and receiver (NegoCollab
/// `feature_alignnet_modules.ConvNeXt`, `num_of_blocks: 2`; reference/negocollab-official-code.md
/// §1.2 step 2, §1.3 step 4; paper eq. 1 and 4). Drop-path is 0 in every config, so it is absent.

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace concord::plugins::negocollab {

/// One ConvNeXt block: 7x7 depthwise conv (pad 3, bias), LayerNorm over channels
/// (eps 1e-6), Linear C -> 4C, GELU (erf), Linear 4C -> C, times the layer scale gamma
/// (initialised to 1e-6 per channel), plus the input. [N, C, H, W] -> [N, C, H, W].
/// At init the block is the identity up to ~1e-6 x the branch output.
class ConvNeXtBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels < 1.
  explicit ConvNeXtBlockImpl(int64_t channels, double layer_scale_init = 1e-6);
  /// x: [N, C, H, W] float32.
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Conv2d dwconv{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear pwconv1{nullptr}, pwconv2{nullptr};
  at::Tensor gamma;  ///< [C] layer scale
};
TORCH_MODULE(ConvNeXtBlock);

/// `blocks` ConvNeXt blocks in sequence. [N, C, H, W] -> [N, C, H, W].
class ConvNeXtImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels < 1 or blocks < 1.
  ConvNeXtImpl(int64_t channels, int64_t blocks);
  at::Tensor forward(const at::Tensor& x);

 private:
  std::vector<ConvNeXtBlock> blocks_;
};
TORCH_MODULE(ConvNeXt);

}  // namespace concord::plugins::negocollab
