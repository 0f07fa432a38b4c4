#include "pointpillars_encoder.hpp"

#include <ATen/ATen.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "scatter.hpp"

namespace concord::plugins {

PointPillarsEncoder::PointPillarsEncoder(const PointPillarsOptions& options) : options_(options) {
  TORCH_CHECK(options_.grid.nx >= 1 && options_.grid.ny >= 1,
              "pointpillars: the grid is empty; build it with PillarGrid::make");
  TORCH_CHECK(options_.max_points_per_pillar >= 1 && options_.max_pillars_train >= 1 &&
                  options_.max_pillars_eval >= 1,
              "pointpillars: max_points_per_pillar and max_pillars_* must be >= 1");
  TORCH_CHECK(options_.out_channels >= 1, "pointpillars: out_channels must be >= 1, got ",
              options_.out_channels);
  pillar_vfe_ = register_module("pillar_vfe", PillarFeatureNet(options_.pfn, options_.grid));
  options_.backbone.in_channels = pillar_vfe_->out_channels();
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

EncoderOutput PointPillarsEncoder::forward(const SensorInput& input) {
  TORCH_CHECK(!input.points.empty(),
              "pointpillars: SensorInput.points is empty; a LiDAR encoder needs B >= 1 point "
              "clouds [N, 4] (an empty cloud is a [0, 4] tensor)");
  const PillarGrid& g = options_.grid;
  const Pillars pillars =
      pillarize(input.points, g, options_.max_points_per_pillar,
                is_training() ? options_.max_pillars_train : options_.max_pillars_eval);
  const at::Tensor features = pillar_vfe_->forward(pillars);  // [P, C]
  const at::Tensor canvas =
      scatter_to_bev(features, pillars.coords, pillars.batch_size, g.ny, g.nx);
  at::Tensor bev = backbone_->forward(canvas);
  if (shrink_) bev = shrink_->forward(bev);
  return EncoderOutput{bev, {}};
}

}  // namespace concord::plugins
