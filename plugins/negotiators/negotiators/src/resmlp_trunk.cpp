#include "resmlp_trunk.hpp"

#include <ATen/ATen.h>

#include <string>

namespace concord::plugins::negotiators {

namespace {

torch::nn::Conv2d pointwise(int64_t in, int64_t out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1));
}

}  // namespace

ResMlpBlockImpl::ResMlpBlockImpl(int64_t channels, int64_t mlp_ratio, double layer_scale_init) {
  TORCH_CHECK(channels >= 1 && mlp_ratio >= 1, "ResMLP negotiator: needs channels >= 1 and ",
              "mlp_ratio >= 1, got ", channels, " and ", mlp_ratio);
  const std::vector<int64_t> shape{1, channels, 1, 1};
  aff1_scale_ = register_parameter("aff1_scale", at::ones(shape));
  aff1_shift_ = register_parameter("aff1_shift", at::zeros(shape));
  aff2_scale_ = register_parameter("aff2_scale", at::ones(shape));
  aff2_shift_ = register_parameter("aff2_shift", at::zeros(shape));
  gamma1_ = register_parameter("gamma1", at::full(shape, layer_scale_init));
  gamma2_ = register_parameter("gamma2", at::full(shape, layer_scale_init));
  mix_ = register_module("mix", pointwise(channels, channels));
  fc1_ = register_module("fc1", pointwise(channels, mlp_ratio * channels));
  fc2_ = register_module("fc2", pointwise(mlp_ratio * channels, channels));
}

at::Tensor ResMlpBlockImpl::forward(const at::Tensor& x) {
  at::Tensor out = x + gamma1_ * mix_->forward(aff1_scale_ * x + aff1_shift_);
  at::Tensor hidden = at::gelu(fc1_->forward(aff2_scale_ * out + aff2_shift_));
  return out + gamma2_ * fc2_->forward(hidden);
}

ResMlpTrunk::ResMlpTrunk(int64_t channels, int64_t blocks, int64_t mlp_ratio,
                         double layer_scale_init) {
  TORCH_CHECK(blocks >= 1, "ResMLP negotiator: needs blocks >= 1, got ", blocks);
  for (int64_t i = 0; i < blocks; ++i) {
    blocks_.push_back(
        register_module(std::to_string(i), ResMlpBlock(channels, mlp_ratio, layer_scale_init)));
  }
}

at::Tensor ResMlpTrunk::forward(const at::Tensor& x) {
  at::Tensor out = x;
  for (auto& block : blocks_) out = block->forward(out);
  return out;
}

}  // namespace concord::plugins::negotiators
