#include "axial_attention.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <string>
#include "concord/modules/fp32_layer_norm.hpp"

namespace concord::plugins::negocollab {

namespace {

void check_divisible(const at::Tensor& x, int64_t window, const char* what) {
  TORCH_CHECK(x.dim() == 4 && window >= 1 && x.size(2) % window == 0 && x.size(3) % window == 0,
              "negocollab ", what, ": expected [N, C, H, W] with H, W multiples of ", window,
              ", got ", x.sizes());
}

}  // namespace

at::Tensor pad_to_window(const at::Tensor& x, int64_t window) {
  TORCH_CHECK(x.dim() == 4 && window >= 1, "negocollab: pad_to_window expects [N, C, H, W], got ",
              x.sizes());
  const int64_t pad_bottom = (window - x.size(2) % window) % window;
  const int64_t pad_right = (window - x.size(3) % window) % window;
  if (pad_bottom == 0 && pad_right == 0) return x;
  return at::constant_pad_nd(x, {0, pad_right, 0, pad_bottom}, 0.0);
}

at::Tensor window_partition(const at::Tensor& x, int64_t window) {
  check_divisible(x, window, "window_partition");
  const int64_t n = x.size(0), c = x.size(1), gx = x.size(2) / window, gy = x.size(3) / window;
  return x.reshape({n, c, gx, window, gy, window})
      .permute({0, 2, 4, 3, 5, 1})  // n, x, y, w1, w2, c
      .reshape({n * gx * gy, window * window, c});
}

at::Tensor window_merge(const at::Tensor& tokens, int64_t window, int64_t height, int64_t width) {
  const int64_t gx = height / window, gy = width / window, c = tokens.size(2);
  const int64_t n = tokens.size(0) / (gx * gy);
  return tokens.reshape({n, gx, gy, window, window, c})
      .permute({0, 5, 1, 3, 2, 4})  // n, c, x, w1, y, w2
      .reshape({n, c, height, width});
}

at::Tensor grid_partition(const at::Tensor& x, int64_t window) {
  check_divisible(x, window, "grid_partition");
  const int64_t n = x.size(0), c = x.size(1), gx = x.size(2) / window, gy = x.size(3) / window;
  return x.reshape({n, c, window, gx, window, gy})
      .permute({0, 3, 5, 2, 4, 1})  // n, x, y, w1, w2, c
      .reshape({n * gx * gy, window * window, c});
}

at::Tensor grid_merge(const at::Tensor& tokens, int64_t window, int64_t height, int64_t width) {
  const int64_t gx = height / window, gy = width / window, c = tokens.size(2);
  const int64_t n = tokens.size(0) / (gx * gy);
  return tokens.reshape({n, gx, gy, window, window, c})
      .permute({0, 5, 3, 1, 4, 2})  // n, c, w1, x, w2, y
      .reshape({n, c, height, width});
}

at::Tensor relative_position_index(int64_t window) {
  TORCH_CHECK(window >= 1, "negocollab: window must be >= 1, got ", window);
  at::Tensor pos = at::arange(window, at::kLong);
  at::Tensor rows = pos.repeat_interleave(window);  // i1 of token i = i1 w + i2
  at::Tensor cols = pos.repeat({window});           // i2
  at::Tensor d_row = rows.unsqueeze(1) - rows.unsqueeze(0) + (window - 1);
  at::Tensor d_col = cols.unsqueeze(1) - cols.unsqueeze(0) + (window - 1);
  return d_row * (2 * window - 1) + d_col;
}

RelPosSelfAttentionImpl::RelPosSelfAttentionImpl(int64_t channels, int64_t heads, int64_t window,
                                                 double dropout)
    : heads_(heads), dropout_(dropout) {
  TORCH_CHECK(heads >= 1 && channels >= 1 && channels % heads == 0,
              "negocollab attention: channels (", channels, ") must be a multiple of heads (",
              heads, ")");
  TORCH_CHECK(dropout >= 0.0 && dropout < 1.0, "negocollab attention: dropout must be in [0, 1)");
  to_qkv_ = register_module(
      "to_qkv", torch::nn::Linear(torch::nn::LinearOptions(channels, 3 * channels).bias(false)));
  to_out_ = register_module(
      "to_out", torch::nn::Linear(torch::nn::LinearOptions(channels, channels).bias(false)));
  rel_pos_bias_ = register_module("rel_pos_bias",
                                  torch::nn::Embedding((2 * window - 1) * (2 * window - 1), heads));
  rel_pos_index_ = register_buffer("rel_pos_index", relative_position_index(window));
}

at::Tensor RelPosSelfAttentionImpl::forward(const at::Tensor& tokens) {
  const int64_t g = tokens.size(0), n = tokens.size(1), c = tokens.size(2);
  const int64_t dim_head = c / heads_;
  TORCH_CHECK(n == rel_pos_index_.size(0), "negocollab attention: expected ",
              rel_pos_index_.size(0), " tokens per group, got ", n);
  // [G, n, 3, heads, d] -> three [G, heads, n, d]
  at::Tensor qkv = to_qkv_->forward(tokens).reshape({g, n, 3, heads_, dim_head});
  qkv = qkv.permute({2, 0, 3, 1, 4});
  at::Tensor q = qkv[0] * (1.0 / std::sqrt(static_cast<double>(dim_head)));
  at::Tensor sim = at::matmul(q, qkv[1].transpose(-2, -1));  // [G, h, n, n]
  sim = sim + rel_pos_bias_->forward(rel_pos_index_).permute({2, 0, 1}).unsqueeze(0);  // [1,h,n,n]
  at::Tensor attn = at::dropout(at::softmax(sim, -1), dropout_, is_training());
  at::Tensor out = at::matmul(attn, qkv[2]).permute({0, 2, 1, 3}).reshape({g, n, c});
  return at::dropout(to_out_->forward(out), dropout_, is_training());
}

FeedForwardImpl::FeedForwardImpl(int64_t channels, int64_t hidden, double dropout)
    : dropout_(dropout) {
  TORCH_CHECK(channels >= 1 && hidden >= 1, "negocollab FFN: sizes must be >= 1");
  fc1_ = register_module("fc1", torch::nn::Linear(channels, hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, channels));
}

at::Tensor FeedForwardImpl::forward(const at::Tensor& x) {
  at::Tensor h = at::dropout(at::gelu(fc1_->forward(x)), dropout_, is_training());
  return at::dropout(fc2_->forward(h), dropout_, is_training());
}

AxialAttentionBlockImpl::AxialAttentionBlockImpl(int64_t channels, int64_t heads, int64_t window,
                                                 int64_t mlp_dim, double dropout)
    : window_(window) {
  auto ln = [&] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})); };
  window_attn_norm_ = register_module("window_attn_norm", ln());
  window_attn_ =
      register_module("window_attn", RelPosSelfAttention(channels, heads, window, dropout));
  window_ffn_norm_ = register_module("window_ffn_norm", ln());
  window_ffn_ = register_module("window_ffn", FeedForward(channels, mlp_dim, dropout));
  grid_attn_norm_ = register_module("grid_attn_norm", ln());
  grid_attn_ = register_module("grid_attn", RelPosSelfAttention(channels, heads, window, dropout));
  grid_ffn_norm_ = register_module("grid_ffn_norm", ln());
  grid_ffn_ = register_module("grid_ffn", FeedForward(channels, mlp_dim, dropout));
}

at::Tensor AxialAttentionBlockImpl::forward(const at::Tensor& x) {
  const int64_t h = x.size(2), w = x.size(3);
  at::Tensor t = window_partition(x, window_);
  t = t + window_attn_->forward(concord::layer_norm_fp32(window_attn_norm_, t));
  t = t + window_ffn_->forward(concord::layer_norm_fp32(window_ffn_norm_, t));
  t = grid_partition(window_merge(t, window_, h, w), window_);
  t = t + grid_attn_->forward(concord::layer_norm_fp32(grid_attn_norm_, t));
  t = t + grid_ffn_->forward(concord::layer_norm_fp32(grid_ffn_norm_, t));
  return grid_merge(t, window_, h, w);
}

AxialAttentionImpl::AxialAttentionImpl(const AxialAttentionOptions& options) : options_(options) {
  TORCH_CHECK(options.window >= 1 && options.blocks >= 1 && options.mlp_dim >= 1,
              "negocollab aligner: window, blocks and mlp_dim must be >= 1");
  for (int64_t i = 0; i < options.blocks; ++i) {
    blocks_.push_back(
        register_module("block" + std::to_string(i),
                        AxialAttentionBlock(options.channels, options.heads, options.window,
                                            options.mlp_dim, options.dropout)));
  }
  head_norm_ = register_module(
      "head_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.channels})));
  head_linear_ =
      register_module("head_linear", torch::nn::Linear(options.channels, options.channels));
}

at::Tensor AxialAttentionImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options_.channels, "negocollab aligner: expected [N, ",
              options_.channels, ", H, W], got ", x.sizes());
  const int64_t h = x.size(2), w = x.size(3);
  at::Tensor y = pad_to_window(x, options_.window);
  for (auto& block : blocks_) y = block->forward(y);
  y = y.narrow(2, 0, h).narrow(3, 0, w).permute({0, 2, 3, 1});  // [N, H, W, C]
  return head_linear_->forward(concord::layer_norm_fp32(head_norm_, y)).permute({0, 3, 1, 2});
}

}  // namespace concord::plugins::negocollab
