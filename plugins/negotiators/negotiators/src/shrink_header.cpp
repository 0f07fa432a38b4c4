#include "shrink_header.hpp"

#include <ATen/ATen.h>

namespace concord::plugins::negotiators {

ShrinkHeaderImpl::ShrinkHeaderImpl(int64_t in_channels, int64_t out_channels) {
  TORCH_CHECK(in_channels >= 1 && out_channels >= 1,
              "negotiator shrink header: needs channels >= 1, got in ", in_channels, ", out ",
              out_channels);
  conv1_ = register_module(
      "conv1",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1)));
  conv2_ = register_module(
      "conv2",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, out_channels, 3).padding(1)));
}

at::Tensor ShrinkHeaderImpl::forward(const at::Tensor& x) {
  return at::relu(conv2_->forward(at::relu(conv1_->forward(x))));
}

}  // namespace concord::plugins::negotiators
