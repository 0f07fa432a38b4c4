#pragma once
/// \file
/// PointPillars encoder of agent type m1 (HEAL `heter_encoders.py:PointPillar`
/// followed by the agent's `ResNetBEVBackbone`): points → pillars → PFN →
/// BEV canvas at the pillar size → ResNet BEV backbone → local feature (64
/// channels at 0.8 m/cell with HEAL's defaults). reference/field-conventions.md
/// §2.1, reference/negocollab-official-code.md §1.1.

#include <torch/nn/modules/container/sequential.h>

#include <cstdint>

#include "concord/encoders/resnet_bev_backbone.hpp"
#include "concord/modules/encoder.hpp"
#include "pillar_feature_net.hpp"
#include "pillarizer.hpp"

namespace concord::plugins {

/// Options of the encoder (plugin.toml documents names, defaults and ranges).
struct PointPillarsOptions {
  PillarGrid grid;                     ///< LiDAR range and pillar size, agent frame, m
  int64_t max_points_per_pillar = 32;  ///< M
  int64_t max_pillars_train = 32000;   ///< pillars kept per sample in training mode
  int64_t max_pillars_eval = 70000;    ///< pillars kept per sample in eval mode
  PillarFeatureNetOptions pfn;         ///< PFN layers; the canvas has pfn.filters.back() channels
  /// Backbone levels; its in_channels is set to the canvas channels by the constructor.
  encoders::ResNetBevBackboneOptions backbone;
  /// Channels of the output. When it differs from the backbone's, a 3x3 conv +
  /// BN + ReLU projection ("shrink") is appended (not part of HEAL's m1).
  int64_t out_channels = 64;
};

/// The PointPillars encoder. forward(): SensorInput.points, B tensors [N_b, 4]
/// float32 (x, y, z in m in the agent LiDAR frame, intensity) →
/// EncoderOutput.bev [B, out_channels, H', W'] float32 where the canvas is
/// [B, C, ny, nx] (y along H, x along W) and H' = ceil(ny / stride) for HEAL's
/// single stride-2 level (cell size pillar_size · backbone output_stride).
/// Submodules `pillar_vfe`, `backbone` (and `shrink`) follow HEAL's names.
class PointPillarsEncoder : public Encoder {
 public:
  /// Throws c10::Error on invalid options (sizes < 1, inconsistent backbone lists).
  explicit PointPillarsEncoder(const PointPillarsOptions& options);
  /// Throws c10::Error when points is empty or a sample is not [N, 4] float32.
  /// Empty point clouds are valid and give a finite feature.
  EncoderOutput forward(const SensorInput& input) override;
  const PointPillarsOptions& options() const { return options_; }

 private:
  PointPillarsOptions options_;
  PillarFeatureNet pillar_vfe_{nullptr};
  encoders::ResNetBevBackbone backbone_{nullptr};
  torch::nn::Sequential shrink_{nullptr};  ///< null when the backbone gives out_channels
};

}  // namespace concord::plugins
