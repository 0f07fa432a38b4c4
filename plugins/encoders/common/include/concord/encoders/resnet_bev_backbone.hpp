#pragma once
/// \file
/// ResNet BEV backbone shared by the encoder plugins: HEAL's `ResNetBEVBackbone`
/// (opencood/models/sub_modules/base_bev_backbone_resnet.py) built from the
/// torchvision-style `BasicBlock` of `ResNetModified` (sub_modules/resblock.py).
/// Every agent type of HEAL/NegoCollab runs its encoder output through it to get
/// the 64-channel local feature at 0.8 m/cell (reference/field-conventions.md
/// §2.1, reference/negocollab-official-code.md §1.1).
///
/// Submodule names mirror HEAL's state_dict keys (`resnet.layer0.0.conv1`,
/// `resnet.layer0.0.downsample.0`, `deblocks.0.0`, ...) so converted HEAL
/// weights load by name.

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace concord::encoders {

/// ResNet basic block (two 3x3 convs + BatchNorm, identity shortcut; a 1x1
/// conv + BN shortcut when the stride or the channel count changes).
/// Input [B, in_channels, H, W] float32 → output [B, channels, ceil(H/stride),
/// ceil(W/stride)]. Source: HEAL sub_modules/resblock.py `BasicBlock`.
class BasicBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a size is < 1.
  BasicBlockImpl(int64_t in_channels, int64_t channels, int64_t stride);
  /// x: [B, in_channels, H, W] float32. Throws c10::Error on a channel mismatch.
  at::Tensor forward(const at::Tensor& x);

 private:
  int64_t in_channels_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::Sequential downsample_{nullptr};  ///< null for the identity shortcut
};
TORCH_MODULE(BasicBlock);

/// Options of ResNetBevBackbone (HEAL `backbone_args`). Defaults are HEAL's m1
/// (PointPillars): one level of 3 blocks at stride 2, 64 filters, no upsampling,
/// which turns a 0.4 m pillar canvas into the 0.8 m local feature.
struct ResNetBevBackboneOptions {
  int64_t in_channels = 64;               ///< channels of the input canvas (HEAL `inplanes`)
  std::vector<int64_t> layer_nums{3};     ///< BasicBlocks per level
  std::vector<int64_t> layer_strides{2};  ///< stride of each level's first block
  std::vector<int64_t> num_filters{64};   ///< output channels of each level
  /// Per-level resampling to a common grid (HEAL `upsample_strides`); empty = none,
  /// allowed only with one level. s >= 1: ConvTranspose2d kernel = stride = s
  /// (integer); s < 1: Conv2d kernel = stride = round(1/s). One extra entry adds a
  /// final ConvTranspose2d on the concatenation.
  std::vector<double> upsample_strides{};
  std::vector<int64_t> num_upsample_filters{};  ///< output channels of each deblock
};

/// HEAL's ResNetBEVBackbone: levels of BasicBlocks, optional per-level deblocks
/// (resample + BN(eps 1e-3, momentum 0.01) + ReLU), concatenated along channels.
/// Input [B, in_channels, H, W] float32 (BEV canvas, agent frame) → output
/// [B, out_channels(), H', W'] with H' = ceil(H / s) per stride-s level.
/// Convs are Kaiming-normal initialised (fan_out, ReLU) as ResNetModified.
class ResNetBevBackboneImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when list lengths differ, a size is < 1, several levels
  /// lack upsampling, or the levels would not land on one grid.
  explicit ResNetBevBackboneImpl(const ResNetBevBackboneOptions& options);

  /// The full backbone: x [B, in_channels, H, W] float32 → [B, out_channels(), H', W'].
  /// Throws c10::Error on a wrong rank/channel count or when the levels' sizes
  /// disagree at the concatenation (a grid not divisible by the strides).
  at::Tensor forward(const at::Tensor& x);

  /// The ResNet levels only (HEAL `get_multiscale_feature`): one tensor per
  /// level, level i [B, num_filters[i], H / prod(strides[0..i]), ...].
  std::vector<at::Tensor> forward_levels(const at::Tensor& x);

  /// Channels of forward()'s output (sum of num_upsample_filters, or num_filters[0]).
  int64_t out_channels() const { return out_channels_; }

  /// Cell size of forward()'s output over that of the input (2 for HEAL m1:
  /// 0.4 m pillars → 0.8 m). May be < 1 when deblocks upsample.
  double output_stride() const { return output_stride_; }

  const ResNetBevBackboneOptions& options() const { return options_; }

 private:
  ResNetBevBackboneOptions options_;
  int64_t out_channels_ = 0;
  double output_stride_ = 1.0;
  std::vector<torch::nn::Sequential> levels_;  ///< registered under resnet.layer<i>
  torch::nn::ModuleList deblocks_{nullptr};    ///< empty without upsampling
};
TORCH_MODULE(ResNetBevBackbone);

}  // namespace concord::encoders
