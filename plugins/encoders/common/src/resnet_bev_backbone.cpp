#include "concord/encoders/resnet_bev_backbone.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>

#include <cmath>
#include <string>

namespace concord::encoders {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

// BatchNorm of the deblocks (HEAL: eps 1e-3, momentum 0.01); the ResNet levels use the defaults.
nn::BatchNorm2d deblock_norm(int64_t channels) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).eps(1e-3).momentum(0.01));
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in_channels, int64_t channels, int64_t stride)
    : in_channels_(in_channels) {
  TORCH_CHECK(in_channels >= 1 && channels >= 1 && stride >= 1,
              "BasicBlock: in_channels, channels and stride must be >= 1, got ", in_channels, ", ",
              channels, ", ", stride);
  conv1_ = register_module("conv1", conv3x3(in_channels, channels, stride));
  bn1_ = register_module("bn1", nn::BatchNorm2d(channels));
  conv2_ = register_module("conv2", conv3x3(channels, channels, 1));
  bn2_ = register_module("bn2", nn::BatchNorm2d(channels));
  if (stride != 1 || in_channels != channels) {
    downsample_ = register_module(
        "downsample",
        nn::Sequential(
            nn::Conv2d(nn::Conv2dOptions(in_channels, channels, 1).stride(stride).bias(false)),
            nn::BatchNorm2d(channels)));
  }
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "BasicBlock: expected [B, ", in_channels_,
              ", H, W], got ", x.sizes());
  at::Tensor out = at::relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  at::Tensor identity = downsample_ ? downsample_->forward(x) : x;
  return at::relu(out + identity);
}

ResNetBevBackboneImpl::ResNetBevBackboneImpl(const ResNetBevBackboneOptions& options)
    : options_(options) {
  const auto& o = options_;
  const size_t levels = o.layer_nums.size();
  TORCH_CHECK(levels >= 1, "ResNetBevBackbone: layer_nums must name at least one level");
  TORCH_CHECK(o.layer_strides.size() == levels && o.num_filters.size() == levels,
              "ResNetBevBackbone: layer_nums, layer_strides and num_filters must have the same "
              "length, got ",
              levels, ", ", o.layer_strides.size(), ", ", o.num_filters.size());
  TORCH_CHECK(o.upsample_strides.size() == o.num_upsample_filters.size(),
              "ResNetBevBackbone: upsample_strides and num_upsample_filters must have the same "
              "length, got ",
              o.upsample_strides.size(), " and ", o.num_upsample_filters.size());
  TORCH_CHECK(o.upsample_strides.empty() || o.upsample_strides.size() == levels ||
                  o.upsample_strides.size() == levels + 1,
              "ResNetBevBackbone: upsample_strides needs one entry per level (plus an optional "
              "final one), got ",
              o.upsample_strides.size(), " for ", levels, " levels");
  TORCH_CHECK(levels == 1 || !o.upsample_strides.empty(), "ResNetBevBackbone: ", levels,
              " levels have different strides; give upsample_strides to bring them to one grid");
  TORCH_CHECK(o.in_channels >= 1, "ResNetBevBackbone: in_channels must be >= 1, got ",
              o.in_channels);

  // ResNet levels (HEAL ResNetModified._make_layer): the first block carries the stride.
  auto resnet = register_module("resnet", std::make_shared<nn::Module>("ResNetModified"));
  int64_t channels = o.in_channels;
  std::vector<double> level_stride;
  double cumulative = 1.0;
  for (size_t i = 0; i < levels; ++i) {
    TORCH_CHECK(o.layer_nums[i] >= 1 && o.layer_strides[i] >= 1 && o.num_filters[i] >= 1,
                "ResNetBevBackbone: level ", i,
                ": layer_nums, layer_strides and num_filters must be >= 1");
    nn::Sequential level;
    level->push_back(BasicBlock(channels, o.num_filters[i], o.layer_strides[i]));
    channels = o.num_filters[i];
    for (int64_t b = 1; b < o.layer_nums[i]; ++b)
      level->push_back(BasicBlock(channels, channels, 1));
    resnet->register_module("layer" + std::to_string(i), level);
    levels_.push_back(level);
    cumulative *= static_cast<double>(o.layer_strides[i]);
    level_stride.push_back(cumulative);
  }
  for (auto& m : resnet->modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    }
  }

  // Deblocks: bring every level to one grid, then concatenate.
  deblocks_ = register_module("deblocks", nn::ModuleList());
  if (o.upsample_strides.empty()) {
    out_channels_ = o.num_filters[0];
    output_stride_ = level_stride[0];
    return;
  }
  auto make_deblock = [](int64_t in, int64_t out, double s) {
    TORCH_CHECK(s > 0.0 && out >= 1, "ResNetBevBackbone: upsample strides must be > 0 and ",
                "upsample filters >= 1, got ", s, " and ", out);
    nn::Sequential block;
    if (s >= 1.0) {
      const auto k = static_cast<int64_t>(std::lround(s));
      TORCH_CHECK(std::abs(s - static_cast<double>(k)) < 1e-6,
                  "ResNetBevBackbone: an upsample stride >= 1 must be an integer, got ", s);
      block->push_back(
          nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, k).stride(k).bias(false)));
    } else {
      const auto k = static_cast<int64_t>(std::lround(1.0 / s));
      block->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(k).bias(false)));
    }
    block->push_back(deblock_norm(out));
    block->push_back(nn::ReLU());
    return block;
  };
  auto effective = [](double s) { return s >= 1.0 ? s : 1.0 / std::lround(1.0 / s); };
  int64_t concat = 0;
  for (size_t i = 0; i < levels; ++i) {
    deblocks_->push_back(
        make_deblock(o.num_filters[i], o.num_upsample_filters[i], o.upsample_strides[i]));
    concat += o.num_upsample_filters[i];
    const double s = level_stride[i] / effective(o.upsample_strides[i]);
    if (i == 0) output_stride_ = s;
    TORCH_CHECK(std::abs(s - output_stride_) < 1e-6, "ResNetBevBackbone: level ", i,
                " lands at stride ", s, " but level 0 at ", output_stride_,
                "; fix upsample_strides");
  }
  out_channels_ = concat;
  if (o.upsample_strides.size() == levels + 1) {
    const double s = o.upsample_strides.back();
    TORCH_CHECK(s >= 1.0, "ResNetBevBackbone: the final upsample stride must be >= 1, got ", s);
    TORCH_CHECK(o.num_upsample_filters.back() == concat,
                "ResNetBevBackbone: the final deblock keeps the concatenated channels (", concat,
                "), got ", o.num_upsample_filters.back());
    deblocks_->push_back(make_deblock(concat, concat, s));
    output_stride_ /= s;
  }
}

std::vector<at::Tensor> ResNetBevBackboneImpl::forward_levels(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options_.in_channels, "ResNetBevBackbone: expected [B, ",
              options_.in_channels, ", H, W], got ", x.sizes());
  std::vector<at::Tensor> out;
  at::Tensor h = x;
  for (auto& level : levels_) {
    h = level->forward(h);
    out.push_back(h);
  }
  return out;
}

at::Tensor ResNetBevBackboneImpl::forward(const at::Tensor& x) {
  std::vector<at::Tensor> levels = forward_levels(x);
  if (deblocks_->is_empty()) return levels[0];
  std::vector<at::Tensor> ups;
  for (size_t i = 0; i < levels.size(); ++i) {
    ups.push_back(deblocks_[i]->as<nn::Sequential>()->forward(levels[i]));
    TORCH_CHECK(ups.back().sizes().slice(2).equals(ups[0].sizes().slice(2)),
                "ResNetBevBackbone: level ", i, " resamples to ", ups.back().sizes(),
                " but level 0 to ", ups[0].sizes(),
                "; the input grid must be divisible by the level strides");
  }
  at::Tensor out = ups.size() == 1 ? ups[0] : at::cat(ups, 1);
  if (deblocks_->size() > levels.size()) {
    out = deblocks_[levels.size()]->as<nn::Sequential>()->forward(out);
  }
  return out;
}

}  // namespace concord::encoders
