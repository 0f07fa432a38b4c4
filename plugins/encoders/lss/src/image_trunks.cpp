// The two LSS image trunks: EfficientNet-B0 style (efficientnet_trunk.hpp, m2)
// and ResNet-50/101 conv1..layer2 style (resnet_trunk.hpp, m4). One translation
// unit for both to keep the plugin's compile time low.
#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "efficientnet_trunk.hpp"
#include "resnet_trunk.hpp"

namespace concord::plugins::lss {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t groups = 1,
                bool bias = false) {
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2).groups(groups).bias(bias));
}

// EfficientNet BN (efficientnet_pytorch: momentum 0.01, eps 1e-3).
nn::BatchNorm2d eff_bn(int64_t c) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(c).momentum(0.01).eps(1e-3));
}

void check_width(double width, const char* trunk) {
  TORCH_CHECK(width > 0.0 && width <= 4.0, trunk, ": width multiplier must be in (0, 4], got ",
              width);
}

void check_image(const at::Tensor& x, const char* trunk) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == 3, trunk, ": input must be [N, 3, H, W], got ",
              x.sizes());
}

// Channel count scaled by the width multiplier, rounded to a multiple of 8, >= 8.
int64_t round8(double channels, double width) {
  return std::max<int64_t>(8, 8 * std::llround(channels * width / 8.0));
}

// B0 stage table: expand ratio, kernel, stride, channels, repeats.
struct Stage {
  int64_t expand, kernel, stride, channels, repeats;
};
constexpr std::array<Stage, 7> kB0Stages{{{1, 3, 1, 16, 1},
                                          {6, 3, 2, 24, 2},
                                          {6, 5, 2, 40, 2},
                                          {6, 3, 2, 80, 3},
                                          {6, 5, 1, 112, 3},
                                          {6, 5, 2, 192, 4},
                                          {6, 3, 1, 320, 1}}};

}  // namespace

// ---------------------------------------------------------------- EfficientNet

MBConvImpl::MBConvImpl(int64_t in_channels, int64_t out_channels, int64_t expand_ratio,
                       int64_t kernel, int64_t stride)
    : skip_(stride == 1 && in_channels == out_channels) {
  TORCH_CHECK(in_channels >= 1 && out_channels >= 1 && expand_ratio >= 1 && stride >= 1,
              "MBConv: sizes must be >= 1");
  TORCH_CHECK(kernel >= 1 && kernel % 2 == 1, "MBConv: kernel must be odd, got ", kernel);
  const int64_t mid = in_channels * expand_ratio;
  const int64_t squeeze = std::max<int64_t>(1, in_channels / 4);
  if (expand_ratio != 1) {
    expand_conv_ = register_module("expand_conv", conv(in_channels, mid, 1, 1));
    bn0_ = register_module("bn0", eff_bn(mid));
  }
  depthwise_conv_ = register_module("depthwise_conv", conv(mid, mid, kernel, stride, mid));
  bn1_ = register_module("bn1", eff_bn(mid));
  se_reduce_ = register_module("se_reduce", conv(mid, squeeze, 1, 1, 1, true));
  se_expand_ = register_module("se_expand", conv(squeeze, mid, 1, 1, 1, true));
  project_conv_ = register_module("project_conv", conv(mid, out_channels, 1, 1));
  bn2_ = register_module("bn2", eff_bn(out_channels));
}

at::Tensor MBConvImpl::forward(const at::Tensor& x) {
  at::Tensor h = x;
  if (expand_conv_) h = at::silu(bn0_(expand_conv_(h)));
  h = at::silu(bn1_(depthwise_conv_(h)));
  at::Tensor gate = se_expand_(at::silu(se_reduce_(h.mean({2, 3}, true))));
  h = bn2_(project_conv_(h * at::sigmoid(gate)));
  return skip_ ? h + x : h;
}

UpBlockImpl::UpBlockImpl(int64_t in_channels, int64_t out_channels) : in_channels_(in_channels) {
  TORCH_CHECK(in_channels >= 1 && out_channels >= 1, "Up block: sizes must be >= 1");
  conv1_ = register_module("conv1", conv(in_channels, out_channels, 3, 1));
  bn1_ = register_module("bn1", nn::BatchNorm2d(out_channels));
  conv2_ = register_module("conv2", conv(out_channels, out_channels, 3, 1));
  bn2_ = register_module("bn2", nn::BatchNorm2d(out_channels));
}

at::Tensor UpBlockImpl::forward(const at::Tensor& coarse, const at::Tensor& skip) {
  TORCH_CHECK(coarse.dim() == 4 && skip.dim() == 4 && coarse.size(1) + skip.size(1) == in_channels_,
              "Up block: expected ", in_channels_, " channels in total, got ", coarse.sizes(),
              " and ", skip.sizes());
  at::Tensor up = at::upsample_bilinear2d(coarse, {skip.size(2), skip.size(3)}, true);
  at::Tensor h = at::relu(bn1_(conv1_(at::cat({skip, up}, 1))));
  return at::relu(bn2_(conv2_(h)));
}

EfficientNetTrunk::EfficientNetTrunk(double width) {
  check_width(width, "EfficientNet trunk");
  const int64_t stem = round8(32, width);
  stem_conv_ = register_module("stem_conv", conv(3, stem, 3, 2));
  stem_bn_ = register_module("stem_bn", eff_bn(stem));
  blocks_ = register_module("blocks", nn::ModuleList());
  int64_t in = stem;
  int64_t total_stride = 2;
  int64_t reduction3 = 0, reduction4 = 0;
  for (const Stage& s : kB0Stages) {
    const int64_t out = round8(static_cast<double>(s.channels), width);
    for (int64_t r = 0; r < s.repeats; ++r) {
      const int64_t stride = r == 0 ? s.stride : 1;
      blocks_->push_back(MBConv(in, out, s.expand, s.kernel, stride));
      total_stride *= stride;
      in = out;
      if (total_stride == 8) {
        last_stride8_block_ = static_cast<int64_t>(blocks_->size()) - 1;
        reduction3 = out;
      } else if (total_stride == 16) {
        last_stride16_block_ = static_cast<int64_t>(blocks_->size()) - 1;
        reduction4 = out;
      }
    }
  }
  out_channels_ = round8(512, width);
  up1_ = register_module("up1", UpBlock(in + reduction4, out_channels_));
  up2_ = register_module("up2", UpBlock(out_channels_ + reduction3, out_channels_));
}

at::Tensor EfficientNetTrunk::forward(const at::Tensor& x) {
  check_image(x, "EfficientNet trunk");
  at::Tensor h = at::silu(stem_bn_(stem_conv_(x)));
  at::Tensor reduction3, reduction4;
  for (size_t i = 0; i < blocks_->size(); ++i) {
    h = blocks_[i]->as<MBConvImpl>()->forward(h);
    if (static_cast<int64_t>(i) == last_stride8_block_) reduction3 = h;
    if (static_cast<int64_t>(i) == last_stride16_block_) reduction4 = h;
  }
  return up2_(up1_(h, reduction4), reduction3);
}

// ---------------------------------------------------------------- ResNet

BottleneckImpl::BottleneckImpl(int64_t in_channels, int64_t planes, int64_t stride) {
  TORCH_CHECK(in_channels >= 1 && planes >= 1 && stride >= 1, "Bottleneck: sizes must be >= 1");
  const int64_t out = planes * kExpansion;
  conv1_ = register_module("conv1", conv(in_channels, planes, 1, 1));
  bn1_ = register_module("bn1", nn::BatchNorm2d(planes));
  conv2_ = register_module("conv2", conv(planes, planes, 3, stride));
  bn2_ = register_module("bn2", nn::BatchNorm2d(planes));
  conv3_ = register_module("conv3", conv(planes, out, 1, 1));
  bn3_ = register_module("bn3", nn::BatchNorm2d(out));
  nn::init::zeros_(bn3_->weight);  // zero_init_residual
  if (stride != 1 || in_channels != out) {
    downsample_ = register_module(
        "downsample", nn::Sequential(conv(in_channels, out, 1, stride), nn::BatchNorm2d(out)));
  }
}

at::Tensor BottleneckImpl::forward(const at::Tensor& x) {
  at::Tensor h = at::relu(bn1_(conv1_(x)));
  h = at::relu(bn2_(conv2_(h)));
  h = bn3_(conv3_(h));
  return at::relu(h + (downsample_ ? downsample_->forward(x) : x));
}

ResNetTrunk::ResNetTrunk(double width) {
  check_width(width, "ResNet trunk");
  const int64_t planes1 = std::max<int64_t>(1, std::llround(64 * width));
  const int64_t planes2 = std::max<int64_t>(1, std::llround(128 * width));
  conv1_ = register_module("conv1", conv(3, planes1, 7, 2));
  bn1_ = register_module("bn1", nn::BatchNorm2d(planes1));
  layer1_ = register_module("layer1", nn::Sequential());
  int64_t in = planes1;
  for (int64_t i = 0; i < 3; ++i) {
    layer1_->push_back(Bottleneck(in, planes1, 1));
    in = planes1 * BottleneckImpl::kExpansion;
  }
  layer2_ = register_module("layer2", nn::Sequential());
  for (int64_t i = 0; i < 4; ++i) {
    layer2_->push_back(Bottleneck(in, planes2, i == 0 ? 2 : 1));
    in = planes2 * BottleneckImpl::kExpansion;
  }
  out_channels_ = in;
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2dImpl>()) {
      nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    }
  }
}

at::Tensor ResNetTrunk::forward(const at::Tensor& x) {
  check_image(x, "ResNet trunk");
  at::Tensor h = at::relu(bn1_(conv1_(x)));
  h = at::max_pool2d(h, {3, 3}, {2, 2}, {1, 1});
  return layer2_->forward(layer1_->forward(h));
}

}  // namespace concord::plugins::lss
