#include "cbam.hpp"

#include <ATen/ATen.h>

#include <algorithm>

namespace concord::plugins::negocollab {

namespace {

torch::nn::Conv2d conv1x1(int64_t in, int64_t out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).bias(false));
}

}  // namespace

ChannelAttentionImpl::ChannelAttentionImpl(int64_t channels, int64_t ratio) {
  TORCH_CHECK(channels >= 1 && ratio >= 1, "negocollab CBAM: channels and ratio must be >= 1");
  const int64_t hidden = std::max<int64_t>(1, channels / ratio);
  fc1_ = register_module("fc1", conv1x1(channels, hidden));
  fc2_ = register_module("fc2", conv1x1(hidden, channels));
}

at::Tensor ChannelAttentionImpl::forward(const at::Tensor& x) {
  auto mlp = [&](const at::Tensor& t) { return fc2_->forward(at::relu(fc1_->forward(t))); };
  at::Tensor avg = x.mean({2, 3}, /*keepdim=*/true);
  at::Tensor max = x.amax({2, 3}, /*keepdim=*/true);
  return at::sigmoid(mlp(avg) + mlp(max));
}

SpatialAttentionImpl::SpatialAttentionImpl() {
  conv_ = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 1, 7).padding(3).bias(false)));
}

at::Tensor SpatialAttentionImpl::forward(const at::Tensor& x) {
  at::Tensor pooled = at::cat({x.mean(1, /*keepdim=*/true), x.amax(1, /*keepdim=*/true)}, 1);
  return at::sigmoid(conv_->forward(pooled));
}

CbamBlockImpl::CbamBlockImpl(int64_t channels) : channels_(channels) {
  TORCH_CHECK(channels >= 1, "negocollab CBAM: channels must be >= 1, got ", channels);
  conv1_ = register_module("conv1", conv1x1(channels, channels));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(channels));
  conv2_ = register_module("conv2", conv1x1(channels, channels));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(channels));
  channel_attention_ = register_module("channel_attention", ChannelAttention(channels));
  spatial_attention_ = register_module("spatial_attention", SpatialAttention());
}

at::Tensor CbamBlockImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == channels_, "negocollab CBAM: expected [N, ", channels_,
              ", H, W], got ", x.sizes());
  at::Tensor out = at::relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  out = channel_attention_->forward(out) * out;
  out = spatial_attention_->forward(out) * out;
  return at::relu(out + x);
}

}  // namespace concord::plugins::negocollab
