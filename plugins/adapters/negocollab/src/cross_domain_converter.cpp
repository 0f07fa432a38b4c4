#include "cross_domain_converter.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "axial_attention.hpp"
#include "concord/modules/fp32_layer_norm.hpp"

namespace concord::plugins::negocollab {

namespace {

torch::nn::LayerNorm layer_norm(int64_t channels) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels}));
}

}  // namespace

WindowCrossAttentionImpl::WindowCrossAttentionImpl(int64_t channels, int64_t heads)
    : heads_(heads) {
  TORCH_CHECK(heads >= 1 && channels >= 1 && channels % heads == 0,
              "negocollab converter: channels (", channels, ") must be a multiple of heads (",
              heads, ")");
  q_norm_ = register_module("q_norm", layer_norm(channels));
  to_q_ = register_module("to_q", torch::nn::Linear(channels, channels));
  k_norm_ = register_module("k_norm", layer_norm(channels));
  to_k_ = register_module("to_k", torch::nn::Linear(channels, channels));
  v_norm_ = register_module("v_norm", layer_norm(channels));
  to_v_ = register_module("to_v", torch::nn::Linear(channels, channels));
  proj_ = register_module("proj", torch::nn::Linear(channels, channels));
}

at::Tensor WindowCrossAttentionImpl::forward(const at::Tensor& query, const at::Tensor& key_value) {
  const int64_t g = query.size(0), n = query.size(1), c = query.size(2);
  const int64_t dim_head = c / heads_;
  auto heads = [&](const at::Tensor& t) {  // [G, n, C] -> [G, heads, n, d]
    return t.reshape({g, n, heads_, dim_head}).permute({0, 2, 1, 3});
  };
  at::Tensor q = heads(to_q_->forward(concord::layer_norm_fp32(q_norm_, query)));
  at::Tensor k = heads(to_k_->forward(concord::layer_norm_fp32(k_norm_, key_value)));
  at::Tensor v = heads(to_v_->forward(concord::layer_norm_fp32(v_norm_, key_value)));
  at::Tensor dot =
      at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dim_head)));
  at::Tensor a = at::matmul(at::softmax(dot, -1), v).permute({0, 2, 1, 3}).reshape({g, n, c});
  return proj_->forward(a) + query;
}

CrossDomainBlockImpl::CrossDomainBlockImpl(int64_t channels, int64_t heads, int64_t window)
    : window_(window) {
  TORCH_CHECK(window >= 1, "negocollab converter: window must be >= 1, got ", window);
  cross_attn_ = register_module("cross_attn", WindowCrossAttention(channels, heads));
  pre_norm_ = register_module("pre_norm", layer_norm(channels));
  ffn1_ = register_module("ffn1", torch::nn::Linear(channels, 2 * channels));
  ffn2_ = register_module("ffn2", torch::nn::Linear(2 * channels, channels));
  post_norm_ = register_module("post_norm", layer_norm(channels));
}

at::Tensor CrossDomainBlockImpl::forward(const at::Tensor& query, const at::Tensor& prompt) {
  at::Tensor x =
      cross_attn_->forward(window_partition(query, window_), window_partition(prompt, window_));
  // The remaining steps act per token, so they can stay in the window layout.
  x = concord::layer_norm_fp32(pre_norm_, x);
  x = x + ffn2_->forward(at::gelu(ffn1_->forward(x)));
  x = concord::layer_norm_fp32(post_norm_, x);
  return window_merge(x, window_, query.size(2), query.size(3));
}

CrossDomainConverterImpl::CrossDomainConverterImpl(const CrossDomainConverterOptions& options)
    : options_(options) {
  TORCH_CHECK(options.blocks >= 1, "negocollab converter: blocks must be >= 1");
  for (int64_t i = 0; i < options.blocks; ++i) {
    blocks_.push_back(
        register_module("block" + std::to_string(i),
                        CrossDomainBlock(options.channels, options.heads, options.window)));
  }
  head_norm_ = register_module("head_norm", layer_norm(options.channels));
  head_linear_ =
      register_module("head_linear", torch::nn::Linear(options.channels, options.channels));
}

at::Tensor CrossDomainConverterImpl::forward(const at::Tensor& query, const at::Tensor& prompt) {
  TORCH_CHECK(query.dim() == 4 && query.size(1) == options_.channels,
              "negocollab converter: expected query [N, ", options_.channels, ", H, W], got ",
              query.sizes());
  TORCH_CHECK(prompt.sizes() == query.sizes(), "negocollab converter: prompt ", prompt.sizes(),
              " must match the query ", query.sizes());
  const int64_t h = query.size(2), w = query.size(3);
  at::Tensor x = pad_to_window(query, options_.window);
  const at::Tensor kv = pad_to_window(prompt, options_.window);
  for (auto& block : blocks_) x = block->forward(x, kv);
  x = x.narrow(2, 0, h).narrow(3, 0, w).permute({0, 2, 3, 1});  // [N, H, W, C]
  return head_linear_->forward(concord::layer_norm_fp32(head_norm_, x)).permute({0, 3, 1, 2});
}

}  // namespace concord::plugins::negocollab
