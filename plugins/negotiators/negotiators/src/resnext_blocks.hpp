#pragma once
/// \file
/// Blocks of the FPN negotiator's trunk and decoder: HEAL's `ResNetModified` with the ResNeXt
/// Bottleneck (`sub_modules/resblock.py`, expansion forced to 1 by `keyfeat_modules.Negotiator`)
/// and the deconvolution deblock of `ResNetBEVBackbone`; reference sheet §1.4.
/// All blocks take and return float32 [N, C, H, W] BEV features.

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace concord::plugins::negotiators {

/// ResNeXt Bottleneck with expansion 1. With width = floor(planes * width_per_group / 64) * groups
/// (128 for planes 64, groups 32, width_per_group 4): 1x1 conv in -> width + BN + ReLU,
/// 3x3 grouped conv (stride s, padding 1) + BN + ReLU, 1x1 conv width -> planes + BN, plus the
/// identity (or 1x1 stride-s conv + BN when s != 1 or in != planes), then ReLU. Convs have no bias.
/// [N, in, H, W] -> [N, planes, ceil(H / s), ceil(W / s)].
class BottleneckImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error for channels, stride or groups < 1, or planes * width_per_group < 64
  /// (no channel per group).
  BottleneckImpl(int64_t in_channels, int64_t planes, int64_t stride, int64_t groups,
                 int64_t width_per_group);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, proj_conv_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr}, proj_bn_{nullptr};
};
TORCH_MODULE(Bottleneck);

/// One pyramid level (eq. 9's N_layer_l): `blocks` Bottlenecks, the first with stride `stride`.
/// Conv weights Kaiming-normal (fan_out, ReLU) and BN weight 1 / bias 0, as ResNetModified.
/// [N, in, H, W] -> [N, planes, ceil(H / stride), ceil(W / stride)].
class ResNeXtStageImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when blocks < 1 (see BottleneckImpl for the rest).
  ResNeXtStageImpl(int64_t in_channels, int64_t planes, int64_t blocks, int64_t stride,
                   int64_t groups, int64_t width_per_group);
  at::Tensor forward(const at::Tensor& x);

 private:
  std::vector<Bottleneck> blocks_;
};
TORCH_MODULE(ResNeXtStage);

/// Deblock (eq. 12's u_l): ConvTranspose2d(kernel = stride = s, no bias) + BN(eps 1e-3,
/// momentum 0.01) + ReLU. [N, in, H, W] -> [N, out, s H, s W]. PyTorch's default deconv init
/// (ResNetModified's Kaiming loop covers only its own convs).
class DeblockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count or the stride is < 1.
  DeblockImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::ConvTranspose2d deconv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(Deblock);

}  // namespace concord::plugins::negotiators
