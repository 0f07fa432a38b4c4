#include "mpda.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "concord/modules/fp32_layer_norm.hpp"
#include "domain_adaptation.hpp"
#include "resize_net.hpp"

namespace concord::plugins::mpda {

using negocollab::grid_merge;
using negocollab::grid_partition;
using negocollab::pad_to_window;
using negocollab::window_merge;
using negocollab::window_partition;

// ---- gradient reversal, domain classifier, losses -----------------------------------

at::Tensor GradReverse::forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                                double lambda) {
  ctx->saved_data["lambda"] = lambda;
  return x.clone();
}

torch::autograd::variable_list GradReverse::backward(torch::autograd::AutogradContext* ctx,
                                                     torch::autograd::variable_list grad_outputs) {
  const double lambda = ctx->saved_data["lambda"].toDouble();
  return {grad_outputs[0] * (-lambda), at::Tensor()};
}

at::Tensor grad_reverse(const at::Tensor& x, double lambda) {
  TORCH_CHECK(x.defined(), "grad_reverse: undefined input");
  return GradReverse::apply(x, lambda);
}

DomainClassifierImpl::DomainClassifierImpl(const DomainClassifierOptions& options)
    : options_(options) {
  TORCH_CHECK(options.in_channels >= 1 && options.hidden >= 1,
              "mpda domain classifier: channel counts must be >= 1");
  TORCH_CHECK(options.lambda >= 0.0, "mpda domain classifier: lambda must be >= 0, got ",
              options.lambda);
  conv1_ = register_module(
      "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(options.in_channels, options.hidden, 1)));
  conv2_ =
      register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(options.hidden, 1, 1)));
  at::NoGradGuard no_grad;
  for (auto* conv : {&conv1_, &conv2_}) {
    (*conv)->weight.normal_(0.0, 0.001);
    (*conv)->bias.zero_();
  }
}

at::Tensor DomainClassifierImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options_.in_channels,
              "mpda domain classifier: expected [N, ", options_.in_channels, ", H, W], got ",
              x.sizes());
  return conv2_->forward(at::relu(conv1_->forward(grad_reverse(x, options_.lambda))));
}

at::Tensor domain_bce_loss(const at::Tensor& source_logits, const at::Tensor& target_logits) {
  TORCH_CHECK(source_logits.defined() && target_logits.defined(),
              "domain_bce_loss: undefined logits");
  TORCH_CHECK(source_logits.numel() + target_logits.numel() > 0, "domain_bce_loss: no cells");
  const at::Tensor s = source_logits.reshape({-1}).to(at::kFloat);
  const at::Tensor t = target_logits.reshape({-1}).to(at::kFloat);
  const at::Tensor logits = at::cat({s, t});
  const at::Tensor labels = at::cat({at::zeros_like(s), at::ones_like(t)});
  return at::binary_cross_entropy_with_logits(logits, labels);
}

at::Tensor mpda_adversarial_loss(DomainClassifier& classifier, const at::Tensor& source,
                                 const at::Tensor& target) {
  TORCH_CHECK(source.dim() == 4 && target.dim() == 4 && source.size(1) == target.size(1),
              "mpda_adversarial_loss: expected source [N, C, H, W] and target [M, C, H', W'], got ",
              source.sizes(), " and ", target.sizes());
  return domain_bce_loss(classifier->forward(source), classifier->forward(target));
}

// ---- cross-domain transformer --------------------------------------------------------

CrossAttentionImpl::CrossAttentionImpl(int64_t channels, int64_t heads, int64_t dim_head)
    : heads_(heads), dim_head_(dim_head) {
  TORCH_CHECK(channels >= 1 && heads >= 1 && dim_head >= 1,
              "mpda cross attention: channels, heads and dim_head must be >= 1");
  const int64_t inner = heads * dim_head;
  auto norm = [&] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})); };
  q_norm_ = register_module("q_norm", norm());
  k_norm_ = register_module("k_norm", norm());
  v_norm_ = register_module("v_norm", norm());
  to_q_ = register_module("to_q", torch::nn::Linear(channels, inner));
  to_k_ = register_module("to_k", torch::nn::Linear(channels, inner));
  to_v_ = register_module("to_v", torch::nn::Linear(channels, inner));
  proj_ = register_module("proj", torch::nn::Linear(inner, channels));
}

at::Tensor CrossAttentionImpl::forward(const at::Tensor& query, const at::Tensor& key,
                                       const at::Tensor& value, const at::Tensor& skip) {
  TORCH_CHECK(key.sizes() == value.sizes(), "mpda cross attention: key ", key.sizes(),
              " and value ", value.sizes(), " must have one shape");
  const int64_t g = query.size(0), n = query.size(1), m = key.size(1);
  auto split = [&](const at::Tensor& t, int64_t len) {  // [G, len, h d] -> [G, h, len, d]
    return t.reshape({g, len, heads_, dim_head_}).permute({0, 2, 1, 3});
  };
  const at::Tensor q = split(to_q_->forward(concord::layer_norm_fp32(q_norm_, query)), n);
  const at::Tensor k = split(to_k_->forward(concord::layer_norm_fp32(k_norm_, key)), m);
  const at::Tensor v = split(to_v_->forward(concord::layer_norm_fp32(v_norm_, value)), m);
  const at::Tensor dot =
      at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dim_head_)));
  const at::Tensor a =
      at::matmul(at::softmax(dot, -1), v).permute({0, 2, 1, 3}).reshape({g, n, heads_ * dim_head_});
  at::Tensor z = proj_->forward(a);
  if (skip.defined()) z = z + skip;
  return z;
}

CrossDomainBlockImpl::CrossDomainBlockImpl(int64_t channels, int64_t heads, int64_t dim_head,
                                           int64_t window)
    : window_(window) {
  TORCH_CHECK(window >= 1, "mpda cross-domain block: window must be >= 1");
  local_attn_ = register_module("local_attn", CrossAttention(channels, heads, dim_head));
  grid_attn_ = register_module("grid_attn", CrossAttention(channels, heads, dim_head));
  auto norm = [&] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})); };
  local_norm_ = register_module("local_norm", norm());
  grid_norm_ = register_module("grid_norm", norm());
  post_norm_ = register_module("post_norm", norm());
  local_fc1_ = register_module("local_fc1", torch::nn::Linear(channels, 2 * channels));
  local_fc2_ = register_module("local_fc2", torch::nn::Linear(2 * channels, channels));
  grid_fc1_ = register_module("grid_fc1", torch::nn::Linear(channels, 2 * channels));
  grid_fc2_ = register_module("grid_fc2", torch::nn::Linear(2 * channels, channels));
}

at::Tensor CrossDomainBlockImpl::forward(const at::Tensor& ego, const at::Tensor& cav) {
  const int64_t h = cav.size(2), w = cav.size(3);
  at::Tensor q = window_partition(cav, window_);
  const at::Tensor ego_windows = window_partition(ego, window_);
  q = local_attn_->forward(q, ego_windows, ego_windows, q);
  q = q +
      local_fc2_->forward(at::gelu(local_fc1_->forward(concord::layer_norm_fp32(local_norm_, q))));
  q = grid_partition(window_merge(q, window_, h, w), window_);
  const at::Tensor ego_grid = grid_partition(ego, window_);
  q = grid_attn_->forward(q, ego_grid, ego_grid, q);
  q = q + grid_fc2_->forward(at::gelu(grid_fc1_->forward(concord::layer_norm_fp32(grid_norm_, q))));
  q = concord::layer_norm_fp32(post_norm_, q);
  return grid_merge(q, window_, h, w);
}

CrossDomainEncoderImpl::CrossDomainEncoderImpl(const CrossDomainEncoderOptions& options)
    : options_(options) {
  TORCH_CHECK(options.depth >= 1, "mpda cross-domain transformer: depth must be >= 1");
  for (int64_t i = 0; i < options.depth; ++i) {
    blocks_.push_back(register_module(
        "block" + std::to_string(i),
        CrossDomainBlock(options.channels, options.heads, options.dim_head, options.window)));
  }
  head_norm_ = register_module(
      "head_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.channels})));
  head_linear_ =
      register_module("head_linear", torch::nn::Linear(options.channels, options.channels));
}

at::Tensor CrossDomainEncoderImpl::forward(const at::Tensor& ego, const at::Tensor& cav) {
  TORCH_CHECK(cav.dim() == 4 && cav.size(1) == options_.channels,
              "mpda cross-domain transformer: expected cav [N, ", options_.channels,
              ", H, W], got ", cav.sizes());
  TORCH_CHECK(ego.sizes() == cav.sizes(), "mpda cross-domain transformer: ego ", ego.sizes(),
              " must match cav ", cav.sizes());
  const int64_t h = cav.size(2), w = cav.size(3);
  const at::Tensor kv = pad_to_window(ego, options_.window);
  at::Tensor x = pad_to_window(cav, options_.window);
  for (auto& block : blocks_) x = block->forward(kv, x);
  x = x.narrow(2, 0, h).narrow(3, 0, w).permute({0, 2, 3, 1});  // [N, H, W, C]
  return head_linear_->forward(concord::layer_norm_fp32(head_norm_, x)).permute({0, 3, 1, 2});
}

// ---- learnable resizer ---------------------------------------------------------------

ResidualBlockImpl::ResidualBlockImpl(int64_t channels) {
  TORCH_CHECK(channels >= 1, "mpda residual block: channels must be >= 1");
  conv1_ = register_module(
      "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(channels));
  conv2_ = register_module(
      "conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(channels));
}

at::Tensor ResidualBlockImpl::forward(const at::Tensor& x) {
  const at::Tensor y = at::leaky_relu(bn1_->forward(conv1_->forward(x)), 0.01);
  return x + bn2_->forward(conv2_->forward(y));
}

LearnableResizerImpl::LearnableResizerImpl(const LearnableResizerOptions& options)
    : options_(options) {
  TORCH_CHECK(options.in_channels >= 1 && options.out_channels >= 1,
              "mpda resizer: channel counts must be >= 1");
  TORCH_CHECK(options.residual_blocks >= 0, "mpda resizer: residual_blocks must be >= 0");
  channel_selector_ = register_module(
      "channel_selector",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(options.in_channels, options.out_channels, 1)));
  negocollab::AxialAttentionOptions wg;
  wg.channels = options.out_channels;
  wg.heads = options.heads;
  wg.window = options.window;
  wg.mlp_dim = options.mlp_dim;
  wg.dropout = options.dropout;
  wg.blocks = 1;
  wg_att_1_ = register_module("wg_att_1", negocollab::AxialAttention(wg));
  wg_att_2_ = register_module("wg_att_2", negocollab::AxialAttention(wg));
  for (int64_t i = 0; i < options.residual_blocks; ++i) {
    res_blocks_.push_back(
        register_module("res_block" + std::to_string(i), ResidualBlock(options.out_channels)));
  }
}

at::Tensor LearnableResizerImpl::forward(const at::Tensor& x, int64_t out_h, int64_t out_w) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options_.in_channels, "mpda resizer: expected [N, ",
              options_.in_channels, ", H, W], got ", x.sizes());
  TORCH_CHECK(out_h >= 1 && out_w >= 1, "mpda resizer: output grid must be >= 1 x 1");
  auto resize = [&](const at::Tensor& t) {
    if (t.size(2) == out_h && t.size(3) == out_w) return t;
    return at::upsample_bilinear2d(t, {out_h, out_w}, /*align_corners=*/false);
  };
  const at::Tensor c = channel_selector_->forward(x);
  const at::Tensor c1 = resize(wg_att_1_->forward(c));
  at::Tensor c2 = c1;
  for (auto& block : res_blocks_) c2 = block->forward(c2);
  c2 = wg_att_2_->forward(c2 + c1);
  return resize(c) + c2;
}

// ---- sender / receiver ---------------------------------------------------------------

namespace {

void check_options(const MpdaOptions& o, const char* who) {
  TORCH_CHECK(o.local_channels >= 1 && o.target_channels >= 1, "mpda ", who,
              ": channel counts must be >= 1");
  TORCH_CHECK(o.local_cell_size_m > 0.0 && o.target_cell_size_m > 0.0, "mpda ", who,
              ": cell sizes must be > 0 m");
  TORCH_CHECK(o.target_space == "ego" || o.target_space == "protocol", "mpda ", who,
              ": target_space must be \"ego\" or \"protocol\", got \"", o.target_space, "\"");
}

}  // namespace

MpdaSender::MpdaSender(const MpdaOptions& options) : options_(options) {
  check_options(options, "sender");
  LearnableResizerOptions r;
  r.in_channels = options.local_channels;
  r.out_channels = options.target_channels;
  r.heads = options.heads;
  r.window = options.window;
  r.mlp_dim = options.mlp_dim;
  r.dropout = options.dropout;
  r.residual_blocks = options.residual_blocks;
  resizer_ = register_module("resizer", LearnableResizer(r));
}

at::Tensor MpdaSender::forward(const at::Tensor& local) {
  TORCH_CHECK(local.dim() == 4 && local.size(1) == options_.local_channels,
              "mpda sender: expected local [B, ", options_.local_channels, ", H, W], got ",
              local.sizes());
  const int64_t h = negocollab::resized_cells(local.size(2), options_.local_cell_size_m,
                                              options_.target_cell_size_m);
  const int64_t w = negocollab::resized_cells(local.size(3), options_.local_cell_size_m,
                                              options_.target_cell_size_m);
  return resizer_->forward(local, h, w);
}

at::Tensor MpdaSender::local_prompt(const at::Tensor& local) {
  const bool same_space = options_.local_channels == options_.target_channels &&
                          std::abs(options_.local_cell_size_m - options_.target_cell_size_m) <
                              1e-9 * options_.target_cell_size_m;
  if (same_space) {
    TORCH_CHECK(local.dim() == 4 && local.size(1) == options_.local_channels,
                "mpda sender: expected local [B, ", options_.local_channels, ", H, W], got ",
                local.sizes());
    return local;
  }
  return forward(local);
}

MpdaReceiver::MpdaReceiver(const MpdaOptions& options) : options_(options) {
  check_options(options, "receiver");
  CrossDomainEncoderOptions c;
  c.channels = options.target_channels;
  c.heads = options.cdt_heads;
  c.dim_head = options.cdt_dim_head;
  c.window = options.window;
  c.depth = options.cdt_depth;
  cdt_ = register_module("cdt", CrossDomainEncoder(c));
}

at::Tensor MpdaReceiver::forward(const at::Tensor& common, const at::Tensor& ego_local) {
  TORCH_CHECK(common.dim() == 4 && common.size(1) == options_.target_channels,
              "mpda receiver: expected common [N, ", options_.target_channels, ", H, W], got ",
              common.sizes());
  TORCH_CHECK(ego_local.dim() == 4 &&
                  (ego_local.size(0) == 1 || ego_local.size(0) == common.size(0)) &&
                  ego_local.size(1) == common.size(1) && ego_local.size(2) == common.size(2) &&
                  ego_local.size(3) == common.size(3),
              "mpda receiver: ego_local ", ego_local.sizes(),
              " must be [1 or N, C, H, W] of common ", common.sizes());
  return cdt_->forward(ego_local.expand_as(common), common);
}

}  // namespace concord::plugins::mpda
