#include "pnpda.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "axial_attention.hpp"
#include "calibrator_loss.hpp"
#include "concord/modules/fp32_layer_norm.hpp"
#include "resize_net.hpp"

namespace concord::plugins::pnpda {

using negocollab::grid_merge;
using negocollab::grid_partition;
using negocollab::pad_to_window;
using negocollab::window_merge;
using negocollab::window_partition;

at::Tensor sine_position_embedding(int64_t height, int64_t width, int64_t d) {
  TORCH_CHECK(d >= 4 && d % 4 == 0,
              "pnpda sine position embedding: d must be a multiple of 4, got ", d);
  const auto f = at::TensorOptions().dtype(at::kFloat);
  // t_i = 10000^(2 i / d), i = 0 .. d/2 - 1 (official dim_t over arange(0, d, 2)).
  const at::Tensor t = at::pow(10000.0, at::arange(0, d / 2, f) * (2.0 / static_cast<double>(d)));
  auto embed = [&](const at::Tensor& pos) {  // [n] 1-based positions -> [n, d/2]
    const at::Tensor a = pos.unsqueeze(1) / t;
    // Interleave sin of even and cos of odd channels: [n, d/4, 2] -> [n, d/2].
    return at::stack({at::sin(a.slice(1, 0, d / 2, 2)), at::cos(a.slice(1, 1, d / 2, 2))}, 2)
        .flatten(1);
  };
  const at::Tensor ey = embed(at::arange(1, height + 1, f));  // [H, d/2]
  const at::Tensor ex = embed(at::arange(1, width + 1, f));   // [W, d/2]
  return at::cat({ey.unsqueeze(1).expand({height, width, d / 2}),
                  ex.unsqueeze(0).expand({height, width, d / 2})},
                 2);
}

// ---- enhancer ------------------------------------------------------------------------

EncoderLayerImpl::EncoderLayerImpl(int64_t channels, int64_t heads, int64_t d_ff, double dropout)
    : heads_(heads), dim_head_(heads >= 1 ? d_ff / heads : 0), dropout_(dropout) {
  TORCH_CHECK(channels >= 1 && heads >= 1 && d_ff >= heads && d_ff % heads == 0,
              "pnpda encoder layer: d_ff must be a positive multiple of heads (d_ff ", d_ff,
              ", heads ", heads, ")");
  to_q_ = register_module("to_q", torch::nn::Linear(channels, d_ff));
  to_k_ = register_module("to_k", torch::nn::Linear(channels, d_ff));
  to_v_ = register_module("to_v", torch::nn::Linear(channels, d_ff));
  to_out_ = register_module(
      "to_out", torch::nn::Linear(torch::nn::LinearOptions(d_ff, channels).bias(false)));
  ffn1_ = register_module("ffn1", torch::nn::Linear(channels, d_ff));
  ffn2_ = register_module("ffn2", torch::nn::Linear(d_ff, channels));
  norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
}

at::Tensor EncoderLayerImpl::forward(const at::Tensor& x, const at::Tensor& pos) {
  const int64_t n = x.size(0), h = x.size(1), w = x.size(2);
  auto split = [&](const at::Tensor& t) {  // [N, H, W, h d] -> [N, heads, H, W, d]
    return t.reshape({n, h, w, heads_, dim_head_}).permute({0, 3, 1, 2, 4});
  };
  const at::Tensor qk_in = x + pos;
  const at::Tensor q = split(to_q_->forward(qk_in));
  const at::Tensor k = split(to_k_->forward(qk_in));
  const at::Tensor v = split(to_v_->forward(x));
  // Attention along W inside each row (official einsum "b l Q d, b l K d -> b l Q K").
  const at::Tensor dot =
      at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dim_head_)));
  const at::Tensor att = at::dropout(at::softmax(dot, -1), dropout_, is_training());
  const at::Tensor a =
      at::matmul(att, v).permute({0, 2, 3, 1, 4}).reshape({n, h, w, heads_ * dim_head_});
  const at::Tensor y = at::dropout(to_out_->forward(a), dropout_, is_training());
  at::Tensor out = concord::layer_norm_fp32(norm1_, y + x);
  out = concord::layer_norm_fp32(norm2_, out + ffn2_->forward(at::gelu(ffn1_->forward(out))));
  return out;
}

// ---- converter -----------------------------------------------------------------------

DecoderLayerImpl::DecoderLayerImpl(int64_t channels, int64_t heads, int64_t d_ff) {
  TORCH_CHECK(channels >= 1 && heads >= 1 && d_ff >= heads && d_ff % heads == 0,
              "pnpda decoder layer: d_ff must be a positive multiple of heads (d_ff ", d_ff,
              ", heads ", heads, ")");
  local_attn_ = register_module("local_attn", mpda::CrossAttention(channels, heads, d_ff / heads));
  grid_attn_ = register_module("grid_attn", mpda::CrossAttention(channels, heads, d_ff / heads));
  norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
  mlp1_fc1_ = register_module("mlp1_fc1", torch::nn::Linear(channels, 2 * channels));
  mlp1_fc2_ = register_module("mlp1_fc2", torch::nn::Linear(2 * channels, channels));
  mlp2_fc1_ = register_module("mlp2_fc1", torch::nn::Linear(channels, 2 * channels));
  mlp2_fc2_ = register_module("mlp2_fc2", torch::nn::Linear(2 * channels, channels));
}

at::Tensor DecoderLayerImpl::forward(const at::Tensor& ego, const at::Tensor& cav,
                                     const at::Tensor& pos) {
  const int64_t h = cav.size(2), w = cav.size(3);
  // Local 2x2 windows: the ego (plus position) queries the cav (plus position); the values
  // are the cav without position; the skip is the ego.
  at::Tensor q = window_partition(ego, kWindow);
  at::Tensor p = window_partition(pos, kWindow);
  at::Tensor key = local_attn_->forward(q + p, window_partition(cav, kWindow) + p,
                                        window_partition(cav, kWindow), q);
  key =
      concord::layer_norm_fp32(norm1_, key + mlp1_fc2_->forward(at::gelu(mlp1_fc1_->forward(key))));
  key = window_merge(key, kWindow, h, w);
  // Dilated grid: the same with the updated key; the values stay the input cav.
  q = grid_partition(ego, kWindow);
  p = grid_partition(pos, kWindow);
  key =
      grid_attn_->forward(q + p, grid_partition(key, kWindow) + p, grid_partition(cav, kWindow), q);
  key =
      concord::layer_norm_fp32(norm2_, key + mlp2_fc2_->forward(at::gelu(mlp2_fc1_->forward(key))));
  return grid_merge(key, kWindow, h, w);
}

// ---- sender / receiver ---------------------------------------------------------------

namespace {

void check_options(const PnpdaOptions& o, const char* who) {
  TORCH_CHECK(o.local_channels >= 1 && o.target_channels >= 4 && o.target_channels % 4 == 0,
              "pnpda ", who,
              ": local_channels must be >= 1 and target_channels a positive "
              "multiple of 4 (sine position embedding), got ",
              o.local_channels, " and ", o.target_channels);
  TORCH_CHECK(o.local_cell_size_m > 0.0 && o.target_cell_size_m > 0.0, "pnpda ", who,
              ": cell sizes must be > 0 m");
  TORCH_CHECK(o.target_space == "ego" || o.target_space == "protocol", "pnpda ", who,
              ": target_space must be \"ego\" or \"protocol\", got \"", o.target_space, "\"");
  TORCH_CHECK(o.enhancer_layers >= 1 && o.converter_layers >= 1, "pnpda ", who,
              ": layer counts must be >= 1");
  TORCH_CHECK(o.dropout >= 0.0 && o.dropout < 1.0, "pnpda ", who, ": dropout must be in [0, 1)");
}

/// [H, W, C] sine embedding as [1, H, W, C] (enhancer layout).
at::Tensor position_nhwc(int64_t h, int64_t w, int64_t c) {
  return sine_position_embedding(h, w, c).unsqueeze(0);
}

}  // namespace

PnpdaSender::PnpdaSender(const PnpdaOptions& options) : options_(options) {
  check_options(options, "sender");
  compressor_ =
      register_module("compressor", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                        options.local_channels, options.target_channels, 1)));
  for (int64_t i = 0; i < options.enhancer_layers; ++i) {
    enhancer_.push_back(register_module(
        "enhancer" + std::to_string(i),
        EncoderLayer(options.target_channels, options.heads, options.d_ff, options.dropout)));
  }
}

at::Tensor PnpdaSender::forward(const at::Tensor& local) {
  TORCH_CHECK(local.dim() == 4 && local.size(1) == options_.local_channels,
              "pnpda sender: expected local [B, ", options_.local_channels, ", H, W], got ",
              local.sizes());
  const int64_t h = negocollab::resized_cells(local.size(2), options_.local_cell_size_m,
                                              options_.target_cell_size_m);
  const int64_t w = negocollab::resized_cells(local.size(3), options_.local_cell_size_m,
                                              options_.target_cell_size_m);
  at::Tensor x = compressor_->forward(local);
  // simple_align: max-pool by the integer ratio when the target is >= 2x coarser, nearest
  // resize otherwise (and after a pool that did not land exactly on the target size).
  const int64_t k = local.size(2) / h;
  if ((x.size(2) != h || x.size(3) != w) && k >= 2) x = at::max_pool2d(x, {k, k});
  if (x.size(2) != h || x.size(3) != w) x = at::upsample_nearest2d(x, {h, w});
  x = x.permute({0, 2, 3, 1});  // [B, H, W, C]
  const at::Tensor pos = position_nhwc(h, w, options_.target_channels).to(x.scalar_type());
  for (auto& layer : enhancer_) x = layer->forward(x, pos);
  return x.permute({0, 3, 1, 2});
}

at::Tensor PnpdaSender::local_prompt(const at::Tensor& local) {
  const bool same_space = options_.local_channels == options_.target_channels &&
                          std::abs(options_.local_cell_size_m - options_.target_cell_size_m) <
                              1e-9 * options_.target_cell_size_m;
  if (same_space) {
    TORCH_CHECK(local.dim() == 4 && local.size(1) == options_.local_channels,
                "pnpda sender: expected local [B, ", options_.local_channels, ", H, W], got ",
                local.sizes());
    return local;
  }
  return forward(local);
}

PnpdaReceiver::PnpdaReceiver(const PnpdaOptions& options) : options_(options) {
  check_options(options, "receiver");
  for (int64_t i = 0; i < options.converter_layers; ++i) {
    converter_.push_back(
        register_module("converter" + std::to_string(i),
                        DecoderLayer(options.target_channels, options.heads, options.d_ff)));
  }
}

at::Tensor PnpdaReceiver::forward(const at::Tensor& common, const at::Tensor& ego_local) {
  TORCH_CHECK(common.dim() == 4 && common.size(1) == options_.target_channels,
              "pnpda receiver: expected common [N, ", options_.target_channels, ", H, W], got ",
              common.sizes());
  TORCH_CHECK(ego_local.dim() == 4 &&
                  (ego_local.size(0) == 1 || ego_local.size(0) == common.size(0)) &&
                  ego_local.size(1) == common.size(1) && ego_local.size(2) == common.size(2) &&
                  ego_local.size(3) == common.size(3),
              "pnpda receiver: ego_local ", ego_local.sizes(),
              " must be [1 or N, C, H, W] of common ", common.sizes());
  const int64_t n = common.size(0), c = common.size(1), h = common.size(2), w = common.size(3);
  const at::Tensor ego = pad_to_window(ego_local.expand_as(common), DecoderLayerImpl::kWindow);
  at::Tensor x = pad_to_window(common, DecoderLayerImpl::kWindow);
  const at::Tensor pos = sine_position_embedding(x.size(2), x.size(3), c)
                             .permute({2, 0, 1})
                             .unsqueeze(0)
                             .expand({n, c, x.size(2), x.size(3)})
                             .to(x.scalar_type());
  for (auto& layer : converter_) x = layer->forward(ego, x, pos);
  return x.narrow(2, 0, h).narrow(3, 0, w);
}

// ---- calibrator loss -----------------------------------------------------------------

at::Tensor box_cell_mask(const at::Tensor& boxes, const concord::BevGrid& grid) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 7, "box_cell_mask: expected boxes [N, 7], got ",
              boxes.sizes());
  grid.validate();
  const int64_t h = grid.height(), w = grid.width(), n = boxes.size(0);
  const auto d = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor cx = (at::arange(w, d) + 0.5) * grid.resolution + grid.x_min;  // [W]
  const at::Tensor cy = (at::arange(h, d) + 0.5) * grid.resolution + grid.y_min;  // [H]
  const at::Tensor b = boxes.detach().to(at::kDouble).cpu();
  auto col = [&](int64_t i) { return b.select(1, i).view({n, 1, 1}); };
  const at::Tensor dx = cx.view({1, 1, w}) - col(0);  // [N, 1, W]
  const at::Tensor dy = cy.view({1, h, 1}) - col(1);  // [N, H, 1]
  const at::Tensor cs = at::cos(col(6)), sn = at::sin(col(6));
  const at::Tensor u = dx * cs + dy * sn;   // along the heading, [N, H, W]
  const at::Tensor v = -dx * sn + dy * cs;  // across it
  return ((u.abs() <= col(3) * 0.5) & (v.abs() <= col(4) * 0.5)).to(boxes.device());
}

at::Tensor pool_box_features(const at::Tensor& feature, const at::Tensor& masks,
                             int64_t max_cells) {
  TORCH_CHECK(feature.dim() == 3 && masks.dim() == 3 && masks.size(1) == feature.size(1) &&
                  masks.size(2) == feature.size(2),
              "pool_box_features: expected feature [C, H, W] and masks [N, H, W], got ",
              feature.sizes(), " and ", masks.sizes());
  const int64_t c = feature.size(0), n = masks.size(0);
  const at::Tensor flat = feature.reshape({c, -1});
  std::vector<at::Tensor> rows;
  rows.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    at::Tensor idx = masks[i].reshape({-1}).nonzero().squeeze(1);
    if (idx.numel() == 0) {
      rows.push_back(at::zeros({c}, feature.options()));
      continue;
    }
    if (max_cells > 0 && idx.numel() > max_cells) idx = idx.narrow(0, 0, max_cells);
    rows.push_back(flat.index_select(1, idx).mean(1));
  }
  if (rows.empty()) return at::zeros({0, c}, feature.options());
  return at::stack(rows);
}

at::Tensor pnpda_contrastive_loss(const at::Tensor& features_q, const at::Tensor& features_k,
                                  const std::vector<at::Tensor>& boxes,
                                  const concord::BevGrid& grid, double tau, int64_t max_cells) {
  TORCH_CHECK(features_q.dim() == 4 && features_q.sizes() == features_k.sizes(),
              "pnpda_contrastive_loss: expected features_q and features_k [B, C, H, W] of one "
              "shape, got ",
              features_q.sizes(), " and ", features_k.sizes());
  TORCH_CHECK(static_cast<int64_t>(boxes.size()) == features_q.size(0),
              "pnpda_contrastive_loss: ", boxes.size(), " box sets for a batch of ",
              features_q.size(0));
  TORCH_CHECK(tau > 0.0, "pnpda_contrastive_loss: tau must be > 0, got ", tau);
  TORCH_CHECK(grid.height() == features_q.size(2) && grid.width() == features_q.size(3),
              "pnpda_contrastive_loss: grid ", grid.str(), " does not match the features ",
              features_q.sizes());
  std::vector<at::Tensor> q_rows, k_rows;
  for (int64_t b = 0; b < features_q.size(0); ++b) {
    if (boxes[static_cast<size_t>(b)].size(0) == 0) continue;
    const at::Tensor masks = box_cell_mask(boxes[static_cast<size_t>(b)], grid);
    const at::Tensor keep = masks.flatten(1).any(1).nonzero().squeeze(1);
    if (keep.numel() == 0) continue;
    const at::Tensor kept = masks.index_select(0, keep);
    q_rows.push_back(pool_box_features(features_q[b].to(at::kFloat), kept, max_cells));
    k_rows.push_back(pool_box_features(features_k[b].to(at::kFloat), kept, max_cells));
  }
  if (q_rows.empty()) return (features_q.sum() + features_k.sum()).to(at::kFloat) * 0.0;
  auto normalise = [](const at::Tensor& x) {
    return x / x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
  };
  const at::Tensor q = normalise(at::cat(q_rows));       // [n, C]
  const at::Tensor k = normalise(at::cat(k_rows));       // [n, C]
  const at::Tensor logits = at::matmul(k, q.t()) / tau;  // [n, n], row i: k_i against every q_j
  return (at::logsumexp(logits, 1) - logits.diagonal()).mean();
}

}  // namespace concord::plugins::pnpda
