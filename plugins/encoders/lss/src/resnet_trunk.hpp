#pragma once
/// \file
/// ResNet-style image trunk of agent type m4 (HEAL `CamEncode_Resnet101`: only
/// conv1, layer1 and layer2 of torchvision's resnet101 — identical to ResNet-50
/// up to layer2 — giving 512 channels at stride 8, pretrained=False,
/// zero_init_residual; reference/negocollab-official-code.md §1.1), with a width
/// multiplier for CPU budgets.

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "image_trunk.hpp"

namespace concord::plugins::lss {

/// torchvision ResNet v1.5 Bottleneck: 1x1 (planes) → 3x3 stride s (planes) →
/// 1x1 (4·planes), BN after each, ReLU; projection shortcut (1x1 stride s + BN)
/// when s != 1 or in != 4·planes. The last BN starts at weight 0
/// (zero_init_residual). [N, in, H, W] → [N, 4·planes, ceil(H/s), ceil(W/s)].
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  /// Throws c10::Error on sizes < 1.
  BottleneckImpl(int64_t in_channels, int64_t planes, int64_t stride);
  /// x: [N, in_channels, H, W] float32.
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
  torch::nn::Sequential downsample_{nullptr};  ///< null for the identity shortcut
};
TORCH_MODULE(Bottleneck);

/// conv1 7x7/2 (round(64·width)) + BN + ReLU + maxpool 3x3/2, layer1: 3
/// Bottlenecks of round(64·width) planes, layer2: 4 Bottlenecks of
/// round(128·width) planes, the first at stride 2. Output [N, 4·round(128·width),
/// ceil(H/8), ceil(W/8)] (512 at width 1). Convs Kaiming-normal (fan_out, ReLU)
/// as torchvision.
class ResNetTrunk : public ImageTrunk {
 public:
  /// width in (0, 4]. Throws c10::Error otherwise.
  explicit ResNetTrunk(double width);
  at::Tensor forward(const at::Tensor& x) override;
  int64_t out_channels() const override { return out_channels_; }

 private:
  int64_t out_channels_ = 0;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr};
};

}  // namespace concord::plugins::lss
