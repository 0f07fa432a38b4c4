#pragma once
/// \file
/// HEAL's Pyramid Fusion (`fuse_modules/pyramid_fuse.py` PyramidFusion.forward_collab on a
/// `sub_modules/base_bev_backbone_resnet.py` ResNet backbone, plus the shrink header of
/// `models/heter_pyramid_collab.py`); reference/field-conventions.md §2.2 and
/// reference/negocollab-official-code.md §1.6.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "concord/modules/fusion.hpp"

namespace torch::nn {
class Conv2dImpl;
}  // namespace torch::nn

namespace concord::plugins {

namespace pyramid {
class ResStageImpl;
class UpsampleBlockImpl;
class DoubleConvImpl;
}  // namespace pyramid

/// Architecture of the pyramid. plugin.toml (factory fusion/pyramid v1) is authoritative for
/// the defaults; these mirror it. L = number of levels = the length of every list.
struct PyramidFusionOptions {
  int64_t in_channels = 64;                        ///< C of the fused input features
  std::vector<int64_t> layer_nums{1, 2, 2};        ///< BasicBlocks per level (HEAL [3, 5, 8])
  std::vector<int64_t> layer_strides{1, 2, 2};     ///< stride of each level's first block
  std::vector<int64_t> num_filters{64, 128, 256};  ///< channels of each level
  std::vector<int64_t> upsample_strides{1, 2, 4};  ///< deconvolution stride of each level
  std::vector<int64_t> num_upsample_filters{64, 64, 64};  ///< channels after each deconvolution
  int64_t shrink_channels = 64;  ///< output channels of the shrink header (HEAL 256)
  bool mask_scores = true;       ///< multiply the agents' scores by the valid mask
  /// Weight of each level's occupancy focal term in loss() (HEAL [0.4, 0.2, 0.1]); one per
  /// level, or all zero / empty to train without occupancy supervision.
  std::vector<double> occupancy_weights{0.4, 0.2, 0.1};
  double occupancy_pos_weight = 2.0;  ///< weight of occupied cells (free cells 1; HEAL 2)
};

/// Multi-level ResNet pyramid with per-level occupancy-weighted fusion of each sample's agents.
///
/// For every agent the backbone computes L levels (level l at cumulative stride
/// c_l = prod(layer_strides[0..l])). At each level a 1x1 conv ("occupancy head", HEAL
/// single_head_l) gives a logit; score = sigmoid(logit) + 1e-4, times the level's valid
/// fraction when mask_scores (valid mask average-pooled by c_l; 0 outside an agent's view,
/// which HEAL obtains from zero-padded warping); agents are softmax-weighted per pixel over
/// their sample (score 0 = excluded, a pixel no agent covers fuses to 0; see
/// pyramid::agent_weights). Each fused level goes through a deconvolution block (stride u_l),
/// the results are concatenated and reduced by the shrink DoubleConv.
///
/// Differences from HEAL: the stages use BasicBlocks (HEAL's ResNetBEVBackbone; HEAL's
/// stage-1 configs set `resnext: true`, a grouped bottleneck, so checkpoints do not
/// transfer); scores are computed on the already-warped features, hence the valid mask
/// instead of HEAL's score warping; excluded cells get weight 0 as in HEAL's pyramid_fuse.py
/// (NegoCollab's pyramid_fuse_w_shrink uses -1e-6 instead of -inf, a mere down-weighting).
///
/// Grid sizes: H and W need not be multiples of M = prod(layer_strides). The features (and
/// valid mask) are zero-padded at the bottom/right to multiples of M, which is HEAL's result
/// when they are multiples; the outputs are cropped back: fused to ceil(H u_0 / c_0) x
/// ceil(W u_0 / c_0) (= H x W at the defaults), occupancy level l to ceil(H / c_l) x
/// ceil(W / c_l). E.g. 60 x 44 at strides [1, 2, 2]: levels 60x44, 30x22, 15x11, no padding;
/// 61 x 45: padded to 64 x 48, occupancy 61x45, 31x23, 16x12, fused 61 x 45.
class PyramidFusion : public Fusion {
 public:
  /// Builds the modules. Throws concord::ConfigError when the lists are empty, of unequal
  /// length or hold values < 1, or when u_l / c_l differs between levels (the upsampled
  /// levels would not align for the concatenation).
  explicit PyramidFusion(const PyramidFusionOptions& options);
  ~PyramidFusion() override;

  /// input.features: [N, in_channels, H, W] float32, ego frame, N = sum(agents_per_sample),
  /// each sample's ego first; input.valid (optional): [N, 1, H, W] float32 in [0, 1].
  /// Returns fused [B, shrink_channels, H_out, W_out] float32 (ego frame; sizes above) and
  /// occupancy: L per-agent logits [N, 1, ceil(H / c_l), ceil(W / c_l)] float32, computed on
  /// the ego-frame features before any masking (HEAL occ_single_list; supervise them with
  /// pyramid::pyramid_occupancy_loss). BatchNorm uses batch statistics over all N agents in
  /// training mode (as HEAL). Throws c10::Error when the features are not [N, in_channels,
  /// H, W], agents_per_sample has a count < 1 or does not sum to N, or valid is not
  /// [N, 1, H, W].
  FusionOutput forward(const FusionInput& input) override;

  /// HEAL's pyramid occupancy loss (pyramid::pyramid_occupancy_loss with the options'
  /// occupancy_weights and occupancy_pos_weight, downsample c_l per level) of out.occupancy
  /// against occupancy_labels [N, 1, H, W] float32 (1 occupied, 0 free, -1 ignored; each
  /// agent's own labels in the ego frame, H x W the input grid). Returns {"occupancy": scalar
  /// float32}, or no terms when every weight is 0. Throws c10::Error when the labels are not
  /// [N, 1, H, W] with N and H x W those of out.occupancy's first level.
  LossTerms loss(const FusionOutput& out, const at::Tensor& occupancy_labels) override;

  /// The options the module was built with.
  const PyramidFusionOptions& options() const { return options_; }
  /// Cumulative stride c_l of each level.
  const std::vector<int64_t>& level_strides() const { return level_strides_; }
  /// (H_out, W_out) of the fused output for an H x W input.
  std::pair<int64_t, int64_t> output_size(int64_t height, int64_t width) const;

 private:
  PyramidFusionOptions options_;
  std::vector<int64_t> level_strides_;
  std::vector<std::shared_ptr<pyramid::ResStageImpl>> stages_;
  std::vector<std::shared_ptr<torch::nn::Conv2dImpl>> occupancy_heads_;
  std::vector<std::shared_ptr<pyramid::UpsampleBlockImpl>> deblocks_;
  std::shared_ptr<pyramid::DoubleConvImpl> shrink_;
};

}  // namespace concord::plugins
