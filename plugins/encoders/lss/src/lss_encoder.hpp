#pragma once
/// \file
/// Lift-Splat-Shoot camera encoder of agent types m2 (EfficientNet trunk) and m4
/// (ResNet trunk): images → stride-8 features → depth distribution ⊗ context
/// ("lift") → frustum points in the agent LiDAR frame → sum-pooled BEV ("splat")
/// → HEAL ResNetBEVBackbone → local feature (64 channels at 0.8 m/cell).
/// Source: HEAL models/heter_encoders.py (`LiftSplatShoot`),
/// models/sub_modules/lss_submodule.py; reference/field-conventions.md §2.1,
/// reference/negocollab-official-code.md §1.1.

#include <torch/nn/modules/conv.h>

#include <cstdint>
#include <memory>

#include "bev_splat.hpp"
#include "concord/encoders/resnet_bev_backbone.hpp"
#include "concord/modules/encoder.hpp"
#include "image_trunk.hpp"
#include "lid_bins.hpp"

namespace concord::plugins::lss {

/// Which image trunk the encoder uses.
enum class TrunkKind {
  kEfficientNet,  ///< m2, efficientnet_trunk.hpp
  kResNet,        ///< m4, resnet_trunk.hpp
};

/// Options of the encoder (plugin.toml documents names, defaults and ranges).
struct LssOptions {
  TrunkKind trunk = TrunkKind::kEfficientNet;
  double trunk_width = 0.5;       ///< channel multiplier of the trunk (1 = HEAL's widths)
  int64_t image_height = 150;     ///< px the trunk sees; other inputs are resized to it
  int64_t image_width = 200;      ///< px
  LidBins bins;                   ///< depth bins, m (HEAL 2..50, 48)
  int64_t context_channels = 64;  ///< C of the lifted features / splat canvas (HEAL 128)
  BevGrid grid;                   ///< splat grid, agent LiDAR frame (HEAL ±51.2 m, 0.4 m)
  /// Cell size of the output, m: a whole multiple k of grid.cell_size; the BEV
  /// backbone's single level runs at stride k (HEAL: 0.8 m = 2 × 0.4 m).
  double out_cell_size = 0.8;
  int64_t backbone_blocks = 3;     ///< BasicBlocks of the BEV backbone (HEAL [3])
  int64_t out_channels = 64;       ///< channels of the local feature
  double depth_loss_weight = 1.0;  ///< weight of the depth focal loss (HEAL 1.0)
};

/// The LSS encoder. forward(): SensorInput{images [B, Ncam, 3, H, W] float in
/// [0, 1], intrinsics [B, Ncam, 3, 3] (px of `images`), camera_to_lidar
/// [B, Ncam, 4, 4] (OpenCV camera → agent LiDAR frame, m)} →
/// EncoderOutput{bev [B, out_channels, ny/k, nx/k] float32 (W along x, H along y,
/// cell size out_cell_size), depth_logits [B·Ncam, D, ceil(h0/8), ceil(w0/8)]}
/// with (h0, w0) = (image_height, image_width). Images of another size are
/// resized bilinearly and their intrinsics rescaled (u' = (u + 0.5)·s − 0.5).
/// Images are ImageNet-normalised (mean 0.485/0.456/0.406, std 0.229/0.224/0.225)
/// as HEAL. Submodules: `trunk`, `depth_head`, `image_head` (1x1 convs, HEAL
/// names), `backbone` (concord_bev_backbone).
class LssEncoder : public Encoder {
 public:
  /// Throws c10::Error on invalid options (sizes < 1, bad bins or grid,
  /// out_cell_size not a whole multiple of the splat cell size).
  explicit LssEncoder(const LssOptions& options);
  /// Throws c10::Error when images/intrinsics/camera_to_lidar are missing or
  /// their shapes disagree.
  EncoderOutput forward(const SensorInput& input) override;
  /// {"depth": depth_loss_weight × depth_focal_loss} of out.depth_logits against
  /// input.depth [B, Ncam, H, W] (m), resized to (image_height, image_width) with
  /// nearest neighbour when the images were; {} when input.depth is undefined.
  /// Source: HEAL point_pillar_depth_loss.py (focal α 0.25, γ 2, weight 1.0).
  /// Throws c10::Error when depth's [B, Ncam] disagree with the logits.
  LossTerms loss(const EncoderOutput& out, const SensorInput& input) override;
  const LssOptions& options() const { return options_; }
  /// Cell size of the bev output over the splat cell size (2 by default).
  int64_t backbone_stride() const { return backbone_stride_; }

 private:
  LssOptions options_;
  int64_t backbone_stride_ = 1;
  at::Tensor depth_edges_;  ///< [D] float32 LID lower edges, m (buffer `depth_edges`)
  std::shared_ptr<ImageTrunk> trunk_;
  torch::nn::Conv2d depth_head_{nullptr}, image_head_{nullptr};
  encoders::ResNetBevBackbone backbone_{nullptr};
};

}  // namespace concord::plugins::lss
