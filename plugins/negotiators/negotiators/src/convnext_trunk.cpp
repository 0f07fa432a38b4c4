#include "convnext_trunk.hpp"

#include <ATen/ATen.h>

#include <string>
#include "concord/modules/fp32_layer_norm.hpp"

namespace concord::plugins::negotiators {

ConvNeXtBlockImpl::ConvNeXtBlockImpl(int64_t channels, int64_t kernel_size, int64_t mlp_ratio,
                                     double layer_scale_init) {
  TORCH_CHECK(channels >= 1 && mlp_ratio >= 1 && kernel_size >= 1 && kernel_size % 2 == 1,
              "ConvNeXt negotiator: needs channels, mlp_ratio >= 1 and an odd kernel_size, got ",
              channels, ", ", mlp_ratio, ", ", kernel_size);
  dwconv_ = register_module(
      "dwconv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, kernel_size)
                                      .padding(kernel_size / 2)
                                      .groups(channels)));
  norm_ = register_module("norm",
                          torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels}).eps(1e-6)));
  fc1_ = register_module("fc1", torch::nn::Linear(channels, mlp_ratio * channels));
  fc2_ = register_module("fc2", torch::nn::Linear(mlp_ratio * channels, channels));
  gamma_ = register_parameter("gamma", at::full({channels}, layer_scale_init));
}

at::Tensor ConvNeXtBlockImpl::forward(const at::Tensor& x) {
  at::Tensor y = dwconv_->forward(x).permute({0, 2, 3, 1});  // NHWC
  y = fc2_->forward(at::gelu(fc1_->forward(concord::layer_norm_fp32(norm_, y))));
  return x + (gamma_ * y).permute({0, 3, 1, 2});
}

ConvNeXtTrunk::ConvNeXtTrunk(int64_t channels, int64_t blocks, int64_t kernel_size,
                             int64_t mlp_ratio, double layer_scale_init) {
  TORCH_CHECK(blocks >= 1, "ConvNeXt negotiator: needs blocks >= 1, got ", blocks);
  for (int64_t i = 0; i < blocks; ++i) {
    blocks_.push_back(register_module(
        std::to_string(i), ConvNeXtBlock(channels, kernel_size, mlp_ratio, layer_scale_init)));
  }
}

at::Tensor ConvNeXtTrunk::forward(const at::Tensor& x) {
  at::Tensor out = x;
  for (auto& block : blocks_) out = block->forward(out);
  return out;
}

}  // namespace concord::plugins::negotiators
