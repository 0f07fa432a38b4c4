#pragma once
/// \file
/// Convolutional blocks of HEAL's pyramid fusion: the ResNet BasicBlock and the
/// residual stage built from it (`sub_modules/resblock.py` ResNetModified), the
/// deconvolution upsample block (`sub_modules/base_bev_backbone_resnet.py`
/// deblocks) and the shrink header's DoubleConv (`sub_modules/downsample_conv.py`);
/// reference/field-conventions.md §2.2, reference/negocollab-official-code.md §1.6.
/// All blocks take and return float32 [N, C, H, W] BEV features in one frame.

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace concord::plugins::pyramid {

/// ResNet BasicBlock: 3x3 conv (stride s, no bias) + BN + ReLU, 3x3 conv + BN, plus the
/// identity (or a 1x1 stride-s conv + BN projection when s != 1 or the channels change),
/// then ReLU. [N, in, H, W] -> [N, out, ceil(H / s), ceil(W / s)].
class BasicBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count or the stride is < 1.
  BasicBlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, proj_conv_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, proj_bn_{nullptr};
};
TORCH_MODULE(BasicBlock);

/// One pyramid level of ResNetModified: `blocks` BasicBlocks, the first with stride
/// `stride`. Conv weights use Kaiming-normal (fan_out, ReLU) init as HEAL; BN 1 / 0.
/// [N, in, H, W] -> [N, out, ceil(H / stride), ceil(W / stride)].
class ResStageImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when blocks < 1 (see BasicBlockImpl for the rest).
  ResStageImpl(int64_t in_channels, int64_t out_channels, int64_t blocks, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  std::vector<BasicBlock> blocks_;
};
TORCH_MODULE(ResStage);

/// HEAL deblock: ConvTranspose2d(kernel = stride = s, no bias) + BN(eps 1e-3,
/// momentum 0.01) + ReLU. [N, in, H, W] -> [N, out, s H, s W].
class UpsampleBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count or the stride is < 1.
  UpsampleBlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::ConvTranspose2d deconv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(UpsampleBlock);

/// HEAL shrink header (DownsampleConv with one DoubleConv, kernel 3, stride 1, padding 1):
/// 3x3 conv (bias) + ReLU, 3x3 conv (bias) + ReLU. [N, in, H, W] -> [N, out, H, W].
class DoubleConvImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count is < 1.
  DoubleConvImpl(int64_t in_channels, int64_t out_channels);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
};
TORCH_MODULE(DoubleConv);

}  // namespace concord::plugins::pyramid
