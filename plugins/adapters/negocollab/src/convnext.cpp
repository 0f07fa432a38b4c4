#include "convnext.hpp"

#include <ATen/ATen.h>

#include <string>
#include "concord/modules/fp32_layer_norm.hpp"

namespace concord::plugins::negocollab {

ConvNeXtBlockImpl::ConvNeXtBlockImpl(int64_t channels, double layer_scale_init) {
  TORCH_CHECK(channels >= 1, "negocollab ConvNeXt: channels must be >= 1, got ", channels);
  dwconv = register_module(
      "dwconv", torch::nn::Conv2d(
                    torch::nn::Conv2dOptions(channels, channels, 7).padding(3).groups(channels)));
  norm = register_module("norm",
                         torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels}).eps(1e-6)));
  pwconv1 = register_module("pwconv1", torch::nn::Linear(channels, 4 * channels));
  pwconv2 = register_module("pwconv2", torch::nn::Linear(4 * channels, channels));
  gamma = register_parameter("gamma", at::full({channels}, layer_scale_init));
}

at::Tensor ConvNeXtBlockImpl::forward(const at::Tensor& x) {
  at::Tensor y = dwconv->forward(x).permute({0, 2, 3, 1});  // [N, H, W, C]
  y = pwconv2->forward(at::gelu(pwconv1->forward(concord::layer_norm_fp32(norm, y))));
  return x + (y * gamma).permute({0, 3, 1, 2});
}

ConvNeXtImpl::ConvNeXtImpl(int64_t channels, int64_t blocks) {
  TORCH_CHECK(blocks >= 1, "negocollab ConvNeXt: blocks must be >= 1, got ", blocks);
  for (int64_t i = 0; i < blocks; ++i) {
    blocks_.push_back(register_module(std::to_string(i), ConvNeXtBlock(channels)));
  }
}

at::Tensor ConvNeXtImpl::forward(const at::Tensor& x) {
  at::Tensor out = x;
  for (auto& block : blocks_) out = block->forward(out);
  return out;
}

}  // namespace concord::plugins::negocollab
