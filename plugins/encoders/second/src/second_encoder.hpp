#pragma once
/// \file
/// SECOND encoder of agent type m3 (HEAL `heter_encoders.py:SECOND` followed by the
/// agent's `ResNetBEVBackbone`): points → voxels → MeanVFE → VoxelBackBone8x →
/// HeightCompression → ResNet BEV backbone (stride 1) → local feature (64 channels
/// at 8 · voxel_size_xy = 0.8 m/cell with HEAL's defaults).
/// reference/field-conventions.md §2.1, reference/negocollab-official-code.md §1.1.
///
/// The output grid is the pointpillars encoder's for the same range: [B, C, H', W']
/// with y along H and x along W, cell (i, j) covering y ≈ y_min + 0.8·i, x ≈ x_min + 0.8·j,
/// H' = ceil(ny / 8) where ny = (y_max − y_min) / voxel_size_xy.
///
/// Deviations from HEAL: the range defaults to Concord's ±38.4 m square (HEAL
/// trains on x ±96 / ±102.4, y ±48 / ±51.2); the sparse convolution is this
/// plugin's rule-book implementation (sparse_conv.hpp) rather than spconv's CUDA
/// kernels, with the same sites and arithmetic up to float summation order.

#include <torch/nn/modules/container/sequential.h>

#include <cstdint>

#include "concord/encoders/resnet_bev_backbone.hpp"
#include "concord/modules/encoder.hpp"
#include "voxel_backbone_8x.hpp"
#include "voxelizer.hpp"

namespace concord::plugins {

/// Options of the encoder (plugin.toml documents names, defaults and ranges).
struct SecondOptions {
  VoxelGrid grid;                    ///< LiDAR range and voxel sizes, agent frame, m
  int64_t max_points_per_voxel = 5;  ///< HEAL max_points_per_voxel
  int64_t max_voxels_train = 32000;  ///< voxels kept per sample in training mode (HEAL)
  int64_t max_voxels_eval = 70000;   ///< voxels kept per sample in eval mode (HEAL max_voxel_test)
  VoxelBackbone8xOptions backbone_3d;  ///< in_channels is forced to 4 (MeanVFE)
  /// 2D backbone; its in_channels is set to backbone_3d.out_channels · output depth.
  /// HEAL m3: layer_nums [3], layer_strides [1], num_filters [64].
  encoders::ResNetBevBackboneOptions backbone{128, {3}, {1}, {64}, {}, {}};
  /// Channels of the output. When it differs from the backbone's, a 3x3 conv +
  /// BN + ReLU projection ("shrink") is appended (not part of HEAL's m3).
  int64_t out_channels = 64;
};

/// The SECOND encoder. forward(): SensorInput.points, B tensors [N_b, 4] float32
/// (x, y, z in m in the agent LiDAR frame, intensity) → EncoderOutput.bev
/// [B, out_channels, H', W'] float32 (see the file comment for the grid).
/// Submodules `spconv_block` (VoxelBackBone8x), `backbone` (and `shrink`) follow
/// HEAL's names (heter_encoders.py SECOND, ResNetBEVBackbone);
/// MeanVFE and HeightCompression have no parameters.
class SecondEncoder : public Encoder {
 public:
  /// Throws c10::Error on invalid options (sizes < 1, a grid too small for the
  /// strided sparse convs, inconsistent backbone lists).
  explicit SecondEncoder(const SecondOptions& options);
  /// Throws c10::Error when points is empty or a sample is not [N, 4] float32.
  /// Empty point clouds are valid and give a finite feature.
  EncoderOutput forward(const SensorInput& input) override;
  /// The options, with the backbones' in_channels filled in by the constructor.
  const SecondOptions& options() const { return options_; }
  /// The sparse 3D backbone (for benchmarks and tests).
  VoxelBackbone8x spconv_block() const { return backbone_3d_; }
  /// The 2D ResNet BEV backbone (for benchmarks and tests).
  encoders::ResNetBevBackbone backbone() const { return backbone_; }

 private:
  SecondOptions options_;
  VoxelBackbone8x backbone_3d_{nullptr};
  encoders::ResNetBevBackbone backbone_{nullptr};
  torch::nn::Sequential shrink_{nullptr};  ///< null when the backbone gives out_channels
};

}  // namespace concord::plugins
