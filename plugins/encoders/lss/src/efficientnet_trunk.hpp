#pragma once
/// \file
/// EfficientNet-B0-style image trunk of agent type m2 (HEAL `CamEncode`: the
/// efficientnet-b0 endpoints reduction_3/4/5 fused by two `Up` blocks to stride 8;
/// reference/negocollab-official-code.md §1.1). Trained from scratch here, with
/// a width multiplier for CPU budgets.

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "image_trunk.hpp"

namespace concord::plugins::lss {

/// Mobile inverted bottleneck (MBConv, Tan & Le 2019; efficientnet_pytorch
/// `MBConvBlock` as used by HEAL): 1x1 expansion (skipped for ratio 1) → k×k
/// depthwise conv (stride s) → squeeze-excitation (reduce to max(1, in/4)
/// channels, swish, expand, sigmoid gate) → 1x1 projection; swish after
/// expansion and depthwise conv; BN momentum 0.01, eps 1e-3; identity skip when
/// s == 1 and in == out (no drop-connect). [N, in, H, W] → [N, out, ceil(H/s), ceil(W/s)].
class MBConvImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error on sizes < 1 or an even kernel.
  MBConvImpl(int64_t in_channels, int64_t out_channels, int64_t expand_ratio, int64_t kernel,
             int64_t stride);
  /// x: [N, in_channels, H, W] float32.
  at::Tensor forward(const at::Tensor& x);

 private:
  bool skip_;
  torch::nn::Conv2d expand_conv_{nullptr}, depthwise_conv_{nullptr}, se_reduce_{nullptr},
      se_expand_{nullptr}, project_conv_{nullptr};
  torch::nn::BatchNorm2d bn0_{nullptr}, bn1_{nullptr}, bn2_{nullptr};
};
TORCH_MODULE(MBConv);

/// HEAL `Up`: bilinear upsampling (align_corners) of the coarse input to the
/// skip input's size, concatenation [skip, up], then two 3x3 conv + BN + ReLU.
/// ([N, c1, h1, w1], [N, c2, H, W]) → [N, out, H, W].
class UpBlockImpl : public torch::nn::Module {
 public:
  /// in_channels = c1 + c2. Throws c10::Error on sizes < 1.
  UpBlockImpl(int64_t in_channels, int64_t out_channels);
  /// Throws c10::Error when the channel sum differs from in_channels.
  at::Tensor forward(const at::Tensor& coarse, const at::Tensor& skip);

 private:
  int64_t in_channels_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
};
TORCH_MODULE(UpBlock);

/// EfficientNet-B0 stages (stem 32, then [expand, kernel, stride, channels,
/// repeats]: [1,3,1,16,1] [6,3,2,24,2] [6,5,2,40,2] [6,3,2,80,3] [6,5,1,112,3]
/// [6,5,2,192,4] [6,3,1,320,1]) with every channel count scaled by `width` and
/// rounded to a multiple of 8 (min 8); the neck is HEAL's up1(reduction_5,
/// reduction_4) → up2(·, reduction_3) with round8(512·width) channels.
/// Output: [N, out_channels(), ceil(H/8), ceil(W/8)]. Source: HEAL
/// lss_submodule.py `CamEncode.get_eff_features`.
class EfficientNetTrunk : public ImageTrunk {
 public:
  /// width in (0, 4]. Throws c10::Error otherwise.
  explicit EfficientNetTrunk(double width);
  at::Tensor forward(const at::Tensor& x) override;
  int64_t out_channels() const override { return out_channels_; }

 private:
  int64_t out_channels_ = 0;
  torch::nn::Conv2d stem_conv_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  int64_t last_stride8_block_ = 0;   ///< index of the last block at stride 8 (reduction_3)
  int64_t last_stride16_block_ = 0;  ///< index of the last block at stride 16 (reduction_4)
  UpBlock up1_{nullptr}, up2_{nullptr};
};

}  // namespace concord::plugins::lss
