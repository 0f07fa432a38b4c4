#pragma once
/// \file
/// Local prompt generator of the NegoCollab receiver: one CBAM BasicBlock built from
/// 1x1 convs (official `sub_modules/cbam.BasicBlock` via `feature_alignnet_modules.CBAM`,
/// `prompt_generator` args; reference/negocollab-official-code.md §1.3 step 1).

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace concord::plugins::negocollab {

/// CBAM channel attention: sigmoid(MLP(avgpool(x)) + MLP(maxpool(x))) with the shared
/// MLP = 1x1 conv C -> C/ratio (no bias), ReLU, 1x1 conv C/ratio -> C (no bias).
/// x [N, C, H, W] -> weights [N, C, 1, 1] in (0, 1).
class ChannelAttentionImpl : public torch::nn::Module {
 public:
  /// hidden = max(1, channels / ratio). Throws c10::Error when channels or ratio < 1.
  ChannelAttentionImpl(int64_t channels, int64_t ratio = 16);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(ChannelAttention);

/// CBAM spatial attention: sigmoid(conv7x7(cat(mean_c(x), max_c(x)))) (pad 3, no bias).
/// x [N, C, H, W] -> weights [N, 1, H, W] in (0, 1).
class SpatialAttentionImpl : public torch::nn::Module {
 public:
  SpatialAttentionImpl();
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv_{nullptr};
};
TORCH_MODULE(SpatialAttention);

/// CBAM BasicBlock with 1x1 convs: out = BN(conv1x1(ReLU(BN(conv1x1(x))))) (convs without
/// bias), out = CA(out) * out, out = SA(out) * out, return ReLU(out + x).
/// [N, C, H, W] -> [N, C, H, W] float32, non-negative.
class CbamBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels < 1.
  explicit CbamBlockImpl(int64_t channels);
  /// Throws c10::Error when x is not [N, channels, H, W].
  at::Tensor forward(const at::Tensor& x);

 private:
  int64_t channels_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  ChannelAttention channel_attention_{nullptr};
  SpatialAttention spatial_attention_{nullptr};
};
TORCH_MODULE(CbamBlock);

}  // namespace concord::plugins::negocollab
