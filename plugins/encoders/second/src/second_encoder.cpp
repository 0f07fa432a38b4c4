#include "second_encoder.hpp"

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "height_compression.hpp"

namespace concord::plugins {

SecondEncoder::SecondEncoder(const SecondOptions& options) : options_(options) {
  const VoxelGrid& g = options_.grid;
  TORCH_CHECK(g.nx >= 1 && g.ny >= 1 && g.nz >= 1,
              "second: the voxel grid is empty; build it with VoxelGrid::make");
  TORCH_CHECK(options_.max_points_per_voxel >= 1 && options_.max_voxels_train >= 1 &&
                  options_.max_voxels_eval >= 1,
              "second: max_points_per_voxel and max_voxels_* must be >= 1");
  TORCH_CHECK(options_.out_channels >= 1, "second: out_channels must be >= 1, got ",
              options_.out_channels);
  options_.backbone_3d.in_channels = 4;  // MeanVFE: mean x, y, z, intensity
  // HEAL's sparse_shape = grid_size[::-1] + [1, 0, 0]: one extra z cell.
  backbone_3d_ = register_module(
      "spconv_block", VoxelBackbone8x(options_.backbone_3d, Shape3{g.nz + 1, g.ny, g.nx}));
  options_.backbone.in_channels = backbone_3d_->out_channels() * backbone_3d_->out_shape()[0];
  backbone_ = register_module("backbone", encoders::ResNetBevBackbone(options_.backbone));
  const int64_t c = backbone_->out_channels();
  if (c != options_.out_channels) {
    namespace nn = torch::nn;
    shrink_ = register_module(
        "shrink",
        nn::Sequential(
            nn::Conv2d(nn::Conv2dOptions(c, options_.out_channels, 3).padding(1).bias(false)),
            nn::BatchNorm2d(nn::BatchNorm2dOptions(options_.out_channels).eps(1e-3).momentum(0.01)),
            nn::ReLU()));
  }
}

EncoderOutput SecondEncoder::forward(const SensorInput& input) {
  TORCH_CHECK(!input.points.empty(),
              "second: SensorInput.points is empty; a LiDAR encoder needs B >= 1 point clouds "
              "[N, 4] (an empty cloud is a [0, 4] tensor)");
  const Voxels voxels =
      voxelize(input.points, options_.grid, options_.max_points_per_voxel,
               is_training() ? options_.max_voxels_train : options_.max_voxels_eval);
  SparseTensor x;
  x.features = mean_vfe(voxels);  // [N, 4]
  x.indices = voxels.coords;      // [N, 4] int32 (b, z, y, x)
  x.spatial_shape = backbone_3d_->sparse_shape();
  x.batch_size = voxels.batch_size;
  const SparseTensor encoded = backbone_3d_->forward(x);
  at::Tensor bev = backbone_->forward(height_compression(encoded));
  if (shrink_) bev = shrink_->forward(bev);
  return EncoderOutput{bev, {}};
}

}  // namespace concord::plugins
