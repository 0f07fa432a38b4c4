#include "window_transformer_trunk.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <cmath>
#include <limits>
#include <string>
#include "concord/modules/fp32_layer_norm.hpp"

namespace concord::plugins::negotiators {

WindowAttentionBlockImpl::WindowAttentionBlockImpl(int64_t channels, int64_t heads, int64_t window,
                                                   int64_t mlp_ratio, WindowLayout layout)
    : heads_(heads), window_(window), layout_(layout) {
  TORCH_CHECK(channels >= 1 && heads >= 1 && window >= 1 && mlp_ratio >= 1,
              "sparse transformer negotiator: channels, heads, window, mlp_ratio must be >= 1");
  TORCH_CHECK(channels % heads == 0, "sparse transformer negotiator: channels ", channels,
              " are not a multiple of heads ", heads);
  norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
  qkv_ = register_module(
      "qkv", torch::nn::Linear(torch::nn::LinearOptions(channels, 3 * channels).bias(false)));
  proj_ = register_module("proj", torch::nn::Linear(channels, channels));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
  fc1_ = register_module("fc1", torch::nn::Linear(channels, mlp_ratio * channels));
  fc2_ = register_module("fc2", torch::nn::Linear(mlp_ratio * channels, channels));

  const int64_t span = 2 * window - 1;
  bias_table_ = register_parameter("relative_position_bias", at::empty({span * span, heads}));
  {
    torch::NoGradGuard no_grad;
    torch::nn::init::normal_(bias_table_, 0.0, 0.02);
  }
  // Token t = i * w + j; the offset (i_a - i_b, j_a - j_b) indexes the table row-major.
  at::Tensor coords = at::arange(window, at::kLong);
  at::Tensor row = coords.repeat_interleave(window);  // [w^2]: i of each token
  at::Tensor col = coords.repeat({window});           // [w^2]: j of each token
  at::Tensor di = row.unsqueeze(1) - row.unsqueeze(0) + (window - 1);
  at::Tensor dj = col.unsqueeze(1) - col.unsqueeze(0) + (window - 1);
  relative_index_ = register_buffer("relative_index", (di * span + dj).reshape({-1}));
}

at::Tensor WindowAttentionBlockImpl::forward(const at::Tensor& x, const at::Tensor& key_mask) {
  const int64_t n = x.size(0), height = x.size(1), width = x.size(2), c = x.size(3);
  const int64_t tokens = window_ * window_;
  const int64_t dim_head = c / heads_;

  at::Tensor windows =
      partition_windows(concord::layer_norm_fp32(norm1_, x), window_, layout_);  // [Nw, T, C]
  const int64_t nw = windows.size(0);
  at::Tensor qkv = qkv_->forward(windows).reshape({nw, tokens, 3, heads_, dim_head});
  qkv = qkv.permute({2, 0, 3, 1, 4});  // [3, Nw, heads, T, d]
  at::Tensor q = qkv[0] * (1.0 / std::sqrt(static_cast<double>(dim_head)));
  at::Tensor logits = at::matmul(q, qkv[1].transpose(-2, -1));  // [Nw, heads, T, T]
  at::Tensor bias = bias_table_.index_select(0, relative_index_)
                        .reshape({tokens, tokens, heads_})
                        .permute({2, 0, 1});  // [heads, T, T]
  logits = logits + bias.unsqueeze(0);
  if (key_mask.defined()) {
    // Every window holds at least one real cell (padding < w per side), so no row is all -inf.
    at::Tensor valid = partition_windows(key_mask, window_, layout_);  // [Nw / N, T, 1]
    at::Tensor mask =
        at::zeros_like(valid).masked_fill(valid == 0, -std::numeric_limits<double>::infinity());
    logits = (logits.reshape({n, nw / n, heads_, tokens, tokens}) +
              mask.reshape({1, nw / n, 1, 1, tokens}))
                 .reshape({nw, heads_, tokens, tokens});
  }
  at::Tensor attended = at::matmul(at::softmax(logits, -1), qkv[2]);  // [Nw, heads, T, d]
  attended = proj_->forward(attended.transpose(1, 2).reshape({nw, tokens, c}));
  at::Tensor out = x + merge_windows(attended, n, height, width, window_, layout_);
  return out + fc2_->forward(at::gelu(fc1_->forward(concord::layer_norm_fp32(norm2_, out))));
}

WindowTransformerTrunk::WindowTransformerTrunk(int64_t channels, int64_t blocks, int64_t heads,
                                               int64_t window, int64_t mlp_ratio)
    : window_(window) {
  TORCH_CHECK(blocks >= 1, "sparse transformer negotiator: needs blocks >= 1, got ", blocks);
  for (int64_t i = 0; i < blocks; ++i) {
    blocks_.push_back(register_module(
        std::to_string(i),
        WindowAttentionBlock(channels, heads, window, mlp_ratio,
                             i % 2 == 0 ? WindowLayout::kLocal : WindowLayout::kGrid)));
  }
}

at::Tensor WindowTransformerTrunk::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4, "sparse transformer negotiator: expected [N, C, H, W], got ",
              x.sizes());
  const int64_t height = x.size(2), width = x.size(3);
  const int64_t pad_h = (window_ - height % window_) % window_;
  const int64_t pad_w = (window_ - width % window_) % window_;
  at::Tensor out = x.permute({0, 2, 3, 1});  // NHWC
  at::Tensor key_mask;
  if (pad_h > 0 || pad_w > 0) {
    out = at::constant_pad_nd(out, {0, 0, 0, pad_w, 0, pad_h}, 0.0);
    key_mask = at::constant_pad_nd(at::ones({1, height, width, 1}, x.options()),
                                   {0, 0, 0, pad_w, 0, pad_h}, 0.0);
  }
  for (auto& block : blocks_) out = block->forward(out, key_mask);
  return out.narrow(1, 0, height).narrow(2, 0, width).permute({0, 3, 1, 2}).contiguous();
}

}  // namespace concord::plugins::negotiators
