#include "resnext_blocks.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <string>

namespace concord::plugins::negotiators {

namespace {

torch::nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
}

/// Kaiming-normal (fan_out, ReLU) init of a conv weight (ResNetModified.__init__).
void kaiming_init(const torch::nn::Conv2d& conv) {
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
}

/// BN weight 1, bias 0 (ResNetModified.__init__; also LibTorch's default).
void bn_init(const torch::nn::BatchNorm2d& bn) {
  torch::NoGradGuard no_grad;
  bn->weight.fill_(1.0);
  bn->bias.zero_();
}

}  // namespace

BottleneckImpl::BottleneckImpl(int64_t in_channels, int64_t planes, int64_t stride, int64_t groups,
                               int64_t width_per_group) {
  TORCH_CHECK(
      in_channels >= 1 && planes >= 1 && stride >= 1 && groups >= 1 && width_per_group >= 1,
      "FPN negotiator: a Bottleneck needs in, planes, stride, groups, width_per_group >= 1, "
      "got ",
      in_channels, ", ", planes, ", ", stride, ", ", groups, ", ", width_per_group);
  // torchvision / HEAL: width = int(planes * (base_width / 64.)) * groups.
  const int64_t width = planes * width_per_group / 64 * groups;
  TORCH_CHECK(width >= groups, "FPN negotiator: planes ", planes, " x width_per_group ",
              width_per_group, " / 64 gives no channel per group");
  conv1_ = register_module("conv1", conv1x1(in_channels, width, 1));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(width));
  conv2_ = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(width, width, 3)
                                                          .stride(stride)
                                                          .padding(1)
                                                          .groups(groups)
                                                          .bias(false)));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(width));
  conv3_ = register_module("conv3", conv1x1(width, planes, 1));
  bn3_ = register_module("bn3", torch::nn::BatchNorm2d(planes));
  for (const auto* conv : {&conv1_, &conv2_, &conv3_}) kaiming_init(*conv);
  for (const auto* bn : {&bn1_, &bn2_, &bn3_}) bn_init(*bn);
  if (stride != 1 || in_channels != planes) {
    proj_conv_ = register_module("downsample_conv", conv1x1(in_channels, planes, stride));
    proj_bn_ = register_module("downsample_bn", torch::nn::BatchNorm2d(planes));
    kaiming_init(proj_conv_);
    bn_init(proj_bn_);
  }
}

at::Tensor BottleneckImpl::forward(const at::Tensor& x) {
  at::Tensor out = at::relu(bn1_->forward(conv1_->forward(x)));
  out = at::relu(bn2_->forward(conv2_->forward(out)));
  out = bn3_->forward(conv3_->forward(out));
  at::Tensor identity = proj_conv_ ? proj_bn_->forward(proj_conv_->forward(x)) : x;
  return at::relu(out + identity);
}

ResNeXtStageImpl::ResNeXtStageImpl(int64_t in_channels, int64_t planes, int64_t blocks,
                                   int64_t stride, int64_t groups, int64_t width_per_group) {
  TORCH_CHECK(blocks >= 1, "FPN negotiator: a level needs >= 1 Bottleneck, got ", blocks);
  for (int64_t i = 0; i < blocks; ++i) {
    blocks_.push_back(register_module(
        std::to_string(i), Bottleneck(i == 0 ? in_channels : planes, planes, i == 0 ? stride : 1,
                                      groups, width_per_group)));
  }
}

at::Tensor ResNeXtStageImpl::forward(const at::Tensor& x) {
  at::Tensor out = x;
  for (auto& block : blocks_) out = block->forward(out);
  return out;
}

DeblockImpl::DeblockImpl(int64_t in_channels, int64_t out_channels, int64_t stride) {
  TORCH_CHECK(in_channels >= 1 && out_channels >= 1 && stride >= 1,
              "FPN negotiator: a deblock needs channels and stride >= 1, got in ", in_channels,
              ", out ", out_channels, ", stride ", stride);
  deconv_ =
      register_module("deconv", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(
                                                               in_channels, out_channels, stride)
                                                               .stride(stride)
                                                               .bias(false)));
  bn_ = register_module(
      "bn",
      torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels).eps(1e-3).momentum(0.01)));
}

at::Tensor DeblockImpl::forward(const at::Tensor& x) {
  return at::relu(bn_->forward(deconv_->forward(x)));
}

}  // namespace concord::plugins::negotiators
