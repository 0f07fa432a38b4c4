#include "anchor_head.hpp"

#include <torch/nn/init.h>

#include <cmath>

namespace concord::plugins {

namespace {
torch::nn::Conv2d conv1x1(int64_t in, int64_t out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1));
}
}  // namespace

AnchorHead::AnchorHead(const AnchorHeadOptions& options) : options_(options) {
  const int64_t a = options.anchors_per_cell;
  cls_ = register_module("cls_head", conv1x1(options.in_channels, a));
  reg_ = register_module("reg_head", conv1x1(options.in_channels, 7 * a));
  if (options.direction) dir_ = register_module("dir_head", conv1x1(options.in_channels, 2 * a));
  const double p = options.prior_probability;
  torch::NoGradGuard no_grad;
  torch::nn::init::constant_(cls_->bias, -std::log((1.0 - p) / p));
}

HeadOutput AnchorHead::forward(const at::Tensor& bev) {
  TORCH_CHECK(bev.dim() == 4 && bev.size(1) == options_.in_channels,
              "anchor head: expected [B, ", options_.in_channels, ", H, W], got ", bev.sizes());
  HeadOutput out;
  out.cls = cls_->forward(bev);
  out.reg = reg_->forward(bev);
  if (dir_) out.dir = dir_->forward(bev);
  return out;
}

}  // namespace concord::plugins
