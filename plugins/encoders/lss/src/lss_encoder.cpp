#include "lss_encoder.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "depth_loss.hpp"
#include "efficientnet_trunk.hpp"
#include "frustum.hpp"
#include "resnet_trunk.hpp"

namespace concord::plugins::lss {
namespace {

namespace nn = torch::nn;

// Resizes [N, 3, H, W] images to (h, w) and rescales intrinsics [N, 3, 3] to
// match (pixel centres at integer coordinates: u' = (u + 0.5)·sx − 0.5).
void resize_to(at::Tensor& images, at::Tensor& intrinsics, int64_t h, int64_t w) {
  const double sy = static_cast<double>(h) / static_cast<double>(images.size(2));
  const double sx = static_cast<double>(w) / static_cast<double>(images.size(3));
  images = at::upsample_bilinear2d(images, {h, w}, false);
  at::Tensor scale = at::tensor({sx, sy, 1.0}, intrinsics.options()).view({1, 3, 1});
  at::Tensor shift = at::tensor({0.5 * (sx - 1.0), 0.5 * (sy - 1.0), 0.0}, intrinsics.options());
  intrinsics = intrinsics * scale;
  intrinsics.select(2, 2).add_(shift.view({1, 3}));
}

}  // namespace

LssEncoder::LssEncoder(const LssOptions& options) : options_(options) {
  const LssOptions& o = options_;
  o.bins.check();
  TORCH_CHECK(o.image_height >= 1 && o.image_width >= 1, "LSS: image size must be >= 1 px, got ",
              o.image_height, "x", o.image_width);
  TORCH_CHECK(o.context_channels >= 1 && o.out_channels >= 1 && o.backbone_blocks >= 1,
              "LSS: context_channels, out_channels and backbone_blocks must be >= 1");
  // Re-derive nx, ny (and validate) from the grid's bounds.
  options_.grid = BevGrid::make(o.grid.x_min, o.grid.x_max, o.grid.y_min, o.grid.y_max,
                                o.grid.z_min, o.grid.z_max, o.grid.cell_size);
  const double ratio = o.out_cell_size / o.grid.cell_size;
  backbone_stride_ = static_cast<int64_t>(std::llround(ratio));
  TORCH_CHECK(
      backbone_stride_ >= 1 && std::abs(ratio - static_cast<double>(backbone_stride_)) < 1e-6,
      "LSS: out_cell_size ", o.out_cell_size, " m must be a whole multiple of the splat cell size ",
      o.grid.cell_size, " m");

  depth_edges_ = register_buffer("depth_edges", o.bins.edges());
  if (o.trunk == TrunkKind::kEfficientNet) {
    trunk_ = register_module("trunk", std::make_shared<EfficientNetTrunk>(o.trunk_width));
  } else {
    trunk_ = register_module("trunk", std::make_shared<ResNetTrunk>(o.trunk_width));
  }
  const int64_t f = trunk_->out_channels();
  depth_head_ = register_module("depth_head", nn::Conv2d(nn::Conv2dOptions(f, o.bins.count, 1)));
  image_head_ =
      register_module("image_head", nn::Conv2d(nn::Conv2dOptions(f, o.context_channels, 1)));
  encoders::ResNetBevBackboneOptions b;
  b.in_channels = o.context_channels;
  b.layer_nums = {o.backbone_blocks};
  b.layer_strides = {backbone_stride_};
  b.num_filters = {o.out_channels};
  backbone_ = register_module("backbone", encoders::ResNetBevBackbone(b));
}

EncoderOutput LssEncoder::forward(const SensorInput& input) {
  const at::Tensor& images = input.images;
  TORCH_CHECK(images.defined() && images.dim() == 5 && images.size(2) == 3,
              "LSS: images must be [B, Ncam, 3, H, W], got ",
              images.defined() ? images.sizes() : at::IntArrayRef{});
  const int64_t b = images.size(0);
  const int64_t ncam = images.size(1);
  TORCH_CHECK(input.intrinsics.defined() && input.intrinsics.dim() == 4 &&
                  input.intrinsics.size(0) == b && input.intrinsics.size(1) == ncam &&
                  input.intrinsics.size(2) == 3 && input.intrinsics.size(3) == 3,
              "LSS: intrinsics must be [B, Ncam, 3, 3] = [", b, ", ", ncam, ", 3, 3], got ",
              input.intrinsics.defined() ? input.intrinsics.sizes() : at::IntArrayRef{});
  TORCH_CHECK(input.camera_to_lidar.defined() && input.camera_to_lidar.dim() == 4 &&
                  input.camera_to_lidar.size(0) == b && input.camera_to_lidar.size(1) == ncam &&
                  input.camera_to_lidar.size(2) == 4 && input.camera_to_lidar.size(3) == 4,
              "LSS: camera_to_lidar must be [B, Ncam, 4, 4] = [", b, ", ", ncam, ", 4, 4], got ",
              input.camera_to_lidar.defined() ? input.camera_to_lidar.sizes() : at::IntArrayRef{});
  const LssOptions& o = options_;
  at::Tensor x = images.flatten(0, 1).to(depth_edges_.device(), at::kFloat);
  at::Tensor k = input.intrinsics.reshape({b * ncam, 3, 3}).to(x.options());
  if (x.size(2) != o.image_height || x.size(3) != o.image_width) {
    resize_to(x, k, o.image_height, o.image_width);
  }
  at::Tensor mean = at::tensor({0.485f, 0.456f, 0.406f}, x.options()).view({1, 3, 1, 1});
  at::Tensor stdev = at::tensor({0.229f, 0.224f, 0.225f}, x.options()).view({1, 3, 1, 1});
  at::Tensor features = trunk_->forward((x - mean) / stdev);  // [BN, F, h, w]
  const int64_t h = features.size(2);
  const int64_t w = features.size(3);

  // Lift: depth softmax ⊗ context → [BN, D, h, w, C].
  at::Tensor depth_logits = depth_head_(features);
  at::Tensor context = image_head_(features).permute({0, 2, 3, 1}).unsqueeze(1);
  at::Tensor lifted = at::softmax(depth_logits, 1).unsqueeze(-1) * context;

  // Splat: frustum points in the LiDAR frame, sum-pooled into the BEV grid.
  at::Tensor points = frustum_points(k.view({b, ncam, 3, 3}), input.camera_to_lidar.to(x.options()),
                                     depth_edges_, h, w, ImageTrunk::kStride);
  at::Tensor canvas =
      splat_to_bev(lifted.reshape({b, -1, o.context_channels}), points.reshape({b, -1, 3}), o.grid);
  return EncoderOutput{backbone_->forward(canvas), depth_logits};
}

LossTerms LssEncoder::loss(const EncoderOutput& out, const SensorInput& input) {
  if (!input.depth.defined() || !out.depth_logits.defined()) return {};
  TORCH_CHECK(input.depth.dim() == 4 &&
                  input.depth.size(0) * input.depth.size(1) == out.depth_logits.size(0),
              "LSS: depth must be [B, Ncam, H, W] with B·Ncam = ", out.depth_logits.size(0),
              ", got ", input.depth.sizes());
  at::Tensor depth = input.depth.flatten(0, 1).to(out.depth_logits.device(), at::kFloat);
  if (depth.size(1) != options_.image_height || depth.size(2) != options_.image_width) {
    depth =
        at::upsample_nearest2d(depth.unsqueeze(1), {options_.image_height, options_.image_width})
            .squeeze(1);
  }
  at::Tensor l =
      depth_focal_loss(out.depth_logits.to(at::kFloat), depth, options_.bins, ImageTrunk::kStride);
  return {{"depth", l * options_.depth_loss_weight}};
}

}  // namespace concord::plugins::lss
