#pragma once
/// \file
/// SECOND's sparse 3D backbone with 8x downsampling: HEAL/OpenPCDet
/// `VoxelBackBone8x` (opencood/models/sub_modules/sparse_backbone_3d.py; Yan et
/// al., "SECOND", Sensors 2018). Layers (all convs without bias, each followed by
/// BatchNorm1d(eps 1e-3, momentum 0.01) + ReLU):
///   conv_input  subm 3³            in → 16          (rule book "subm1")
///   conv1       subm 3³            16 → 16          ("subm1")
///   conv2       spconv 3³ s2 p1    16 → 32, subm ×2 ("spconv2", "subm2")
///   conv3       spconv 3³ s2 p1    32 → 64, subm ×2
///   conv4       spconv 3³ s2 p(0,1,1) 64 → 64, subm ×2
///   conv_out    spconv (3,1,1) s(2,1,1) p0 64 → out_channels (HEAL m3: 64)
/// With HEAL's grid (z [-3, 1] m at 0.1 m → sparse depth 40 + 1 = 41) the depth
/// goes 41 → 21 → 11 → 5 → 2, so HeightCompression gives 2 · 64 = 128 channels.
/// Submanifold layers of one level share that level's rule book (spconv indice_key).

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "sparse_conv.hpp"
#include "sparse_tensor.hpp"

namespace concord::plugins {

/// Options of VoxelBackBone8x (HEAL `encoder_args.spconv`).
struct VoxelBackbone8xOptions {
  /// MeanVFE features (x, y, z, intensity). HEAL's m3 yaml says num_features_in 4;
  /// some author configs say 64, which spconv 1.2.1 silently accepted (HEAL
  /// issue 20, warned in sparse_backbone_3d.py); 4 is the correct convolution.
  int64_t in_channels = 4;
  int64_t out_channels = 64;  ///< conv_out channels (HEAL num_features_out; OpenPCDet 128)
};

/// The backbone. forward(): SparseTensor on the (D, H, W) = (nz + 1, ny, nx) grid
/// (HEAL's sparse_shape adds one z cell) with features [N, in_channels] →
/// SparseTensor on out_shape() with features [N', out_channels]; batch size kept.
class VoxelBackbone8xImpl : public torch::nn::Module {
 public:
  /// `sparse_shape` (D, H, W) of the input grid. Throws c10::Error when a size
  /// is < 1 or the grid is too small for the strided convs (D < 25, i.e. fewer
  /// than 24 z voxels: conv_out then has no output depth).
  VoxelBackbone8xImpl(const VoxelBackbone8xOptions& options, const Shape3& sparse_shape);
  /// Throws c10::Error when x is not on sparse_shape() or has the wrong channel count.
  SparseTensor forward(const SparseTensor& x);

  /// (D, H, W) of the input grid, as given to the constructor.
  const Shape3& sparse_shape() const { return sparse_shape_; }
  /// (D', H', W') of the output grid, e.g. (2, H/8, W/8) with HEAL's grid.
  const Shape3& out_shape() const { return out_shape_; }
  /// Channels of the output features (conv_out).
  int64_t out_channels() const { return options_.out_channels; }

 private:
  VoxelBackbone8xOptions options_;
  Shape3 sparse_shape_, out_shape_;
  SparseConvBlock conv_input_{nullptr};
  torch::nn::ModuleList conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, conv4_{nullptr};
  SparseConvBlock conv_out_{nullptr};
};
TORCH_MODULE(VoxelBackbone8x);

}  // namespace concord::plugins
