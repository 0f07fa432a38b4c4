#include "blocks.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <string>

namespace concord::plugins::pyramid {

namespace {

/// 3x3 conv, padding 1, no bias (HEAL resblock.conv3x3).
torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

/// Kaiming-normal (fan_out, ReLU) init of a conv weight (HEAL ResNetModified.__init__).
void kaiming_init(const torch::nn::Conv2d& conv) {
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
}

void check_channels(const char* what, int64_t in, int64_t out, int64_t stride) {
  TORCH_CHECK(in >= 1 && out >= 1 && stride >= 1, "pyramid fusion: ", what,
              " needs channels >= 1 and stride >= 1, got in ", in, ", out ", out, ", stride ",
              stride);
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride) {
  check_channels("BasicBlock", in_channels, out_channels, stride);
  conv1_ = register_module("conv1", conv3x3(in_channels, out_channels, stride));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(out_channels));
  conv2_ = register_module("conv2", conv3x3(out_channels, out_channels, 1));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(out_channels));
  kaiming_init(conv1_);
  kaiming_init(conv2_);
  if (stride != 1 || in_channels != out_channels) {
    proj_conv_ = register_module(
        "downsample_conv",
        torch::nn::Conv2d(
            torch::nn::Conv2dOptions(in_channels, out_channels, 1).stride(stride).bias(false)));
    proj_bn_ = register_module("downsample_bn", torch::nn::BatchNorm2d(out_channels));
    kaiming_init(proj_conv_);
  }
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  at::Tensor out = at::relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  at::Tensor identity = proj_conv_ ? proj_bn_->forward(proj_conv_->forward(x)) : x;
  return at::relu(out + identity);
}

ResStageImpl::ResStageImpl(int64_t in_channels, int64_t out_channels, int64_t blocks,
                           int64_t stride) {
  TORCH_CHECK(blocks >= 1, "pyramid fusion: a level needs >= 1 BasicBlock, got ", blocks);
  for (int64_t i = 0; i < blocks; ++i) {
    blocks_.push_back(register_module(
        std::to_string(i),
        BasicBlock(i == 0 ? in_channels : out_channels, out_channels, i == 0 ? stride : 1)));
  }
}

at::Tensor ResStageImpl::forward(const at::Tensor& x) {
  at::Tensor out = x;
  for (auto& block : blocks_) out = block->forward(out);
  return out;
}

UpsampleBlockImpl::UpsampleBlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride) {
  check_channels("upsample block", in_channels, out_channels, stride);
  deconv_ =
      register_module("deconv", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(
                                                               in_channels, out_channels, stride)
                                                               .stride(stride)
                                                               .bias(false)));
  bn_ = register_module(
      "bn",
      torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels).eps(1e-3).momentum(0.01)));
}

at::Tensor UpsampleBlockImpl::forward(const at::Tensor& x) {
  return at::relu(bn_->forward(deconv_->forward(x)));
}

DoubleConvImpl::DoubleConvImpl(int64_t in_channels, int64_t out_channels) {
  check_channels("shrink header", in_channels, out_channels, 1);
  conv1_ = register_module(
      "conv1",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1)));
  conv2_ = register_module(
      "conv2",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, out_channels, 3).padding(1)));
}

at::Tensor DoubleConvImpl::forward(const at::Tensor& x) {
  return at::relu(conv2_->forward(at::relu(conv1_->forward(x))));
}

}  // namespace concord::plugins::pyramid
