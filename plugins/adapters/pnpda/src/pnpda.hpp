#pragma once
/// \file
/// PnPDA (Luo et al., ECCV 2024, "Plug and Play: A Representation Enhanced Domain Adapter
/// for Collaborative Perception"; reference/other-methods.md §D "PnPDA",
/// field-conventions.md §6.3; official `models/cpm.py`, `sub_modules/compressor.py`
/// simple_align, `sub_modules/adapter.py` TransformerEncoder/TransformerDecoder,
/// `utils/pe.py` PositionEmbeddingSine) as a sender/receiver pair. The sender (collaborator)
/// runs the channel/size aligner and the semantic enhancer (proj_k); the receiver (ego) runs
/// the semantic converter (predictor), where the ego feature queries each message in 2x2
/// windows and then in a dilated grid. The calibrator's contrastive loss is in
/// calibrator_loss.hpp. "-P" (PnPDA toward the protocol agent m0) is the same modules
/// trained toward m0's space (target_space = "protocol").
///
/// Deviation: the official ego query is proj_q(ego), a momentum (EMA) copy of proj_k that
/// receives no gradient; here the receiver uses the ego feature it is given (the ego's
/// PnpdaSender::local_prompt) directly, so no EMA state crosses the plugin boundary.

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "mpda.hpp"

namespace concord::plugins::pnpda {

/// Official PositionEmbeddingSine (unnormalised, temperature 10000): for cell (h, w) with
/// y = h + 1, x = w + 1 and t_i = 10000^(2 i / d) (i = 0 .. d/2 − 1), the embedding is
/// [sin(y/t_0), cos(y/t_1), sin(y/t_2), ... (d/2 values), sin(x/t_0), cos(x/t_1), ...].
/// Returns [height, width, d] float32. Throws c10::Error unless d is a positive multiple of 4.
at::Tensor sine_position_embedding(int64_t height, int64_t width, int64_t d);

/// Official adapter.py SelfAttention + EncoderLayer (post-norm): q = k = x + pos, v = x;
/// per head softmax(q kᵀ / sqrt(dim_head)) v **along each BEV row** (the official einsum
/// "b l Q d, b l K d" runs over W inside each of the H rows), dropout, to_out Linear d_ff ->
/// C (no bias), dropout; x = LN(x + attn); x = LN(x + FFN(x)), FFN = Linear C -> d_ff,
/// GELU, Linear d_ff -> C. x, pos: [N, H, W, C] float32 -> [N, H, W, C].
class EncoderLayerImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error unless d_ff is a positive multiple of heads.
  EncoderLayerImpl(int64_t channels, int64_t heads, int64_t d_ff, double dropout);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& pos);

 private:
  int64_t heads_, dim_head_;
  double dropout_;
  torch::nn::Linear to_q_{nullptr}, to_k_{nullptr}, to_v_{nullptr}, to_out_{nullptr};
  torch::nn::Linear ffn1_{nullptr}, ffn2_{nullptr};
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
};
TORCH_MODULE(EncoderLayer);

/// Official adapter.py DecoderLayer (window 2): query = ego, key = value = cav.
/// Local 2x2 windows: key = CrossAttention(q + pos, key + pos, value, skip q); key =
/// LN1(key + MLP1(key)); dilated grid: key = CrossAttention(q + pos, key + pos, value,
/// skip q); key = LN2(key + MLP2(key)). CrossAttention = mpda::CrossAttention with
/// dim_head = d_ff / heads; MLPs Linear C -> 2C, GELU, Linear 2C -> C. ego, cav, pos:
/// [N, C, H, W] with H, W even -> [N, C, H, W].
class DecoderLayerImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error unless d_ff is a positive multiple of heads.
  DecoderLayerImpl(int64_t channels, int64_t heads, int64_t d_ff);
  at::Tensor forward(const at::Tensor& ego, const at::Tensor& cav, const at::Tensor& pos);

  static constexpr int64_t kWindow = 2;  ///< official win_size

 private:
  mpda::CrossAttention local_attn_{nullptr}, grid_attn_{nullptr};
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Linear mlp1_fc1_{nullptr}, mlp1_fc2_{nullptr}, mlp2_fc1_{nullptr}, mlp2_fc2_{nullptr};
};
TORCH_MODULE(DecoderLayer);

/// Options of both factories (plugin.toml "sender"/"pnpda" and "receiver"/"pnpda").
/// Transformer sizes are chosen for 64-channel features (the official configs use 256).
struct PnpdaOptions {
  int64_t local_channels = 64;       ///< C of the sending agent's local feature
  double local_cell_size_m = 0.8;    ///< its BEV cell edge, m
  int64_t target_channels = 64;      ///< d_model: C of the ego's (or m0's) feature
  double target_cell_size_m = 0.8;   ///< cell edge of the target grid, m
  std::string target_space = "ego";  ///< "ego" (one-to-one) or "protocol" (PnPDA-P); recorded
  int64_t heads = 4;                 ///< attention heads of enhancer and converter
  int64_t d_ff = 128;                ///< attention inner width and FFN width; multiple of heads
  int64_t enhancer_layers = 1;       ///< encoder layers of proj_k
  int64_t converter_layers = 1;      ///< decoder layers of the predictor
  double dropout = 0.1;              ///< enhancer attention/output dropout, training only
};

/// PnPDA sender (collaborator side): simple_align (1x1 conv local -> target channels, then
/// max-pool by the integer ratio when the target grid is >= 2x coarser, else nearest
/// resize when the size differs) -> semantic enhancer (sine position + encoder layers).
/// 54144 trainable parameters at the defaults. Throws c10::Error from the constructor on
/// invalid options.
class PnpdaSender : public Sender {
 public:
  explicit PnpdaSender(const PnpdaOptions& options);
  /// local: [B, local_channels, H, W] float32, agent frame. Returns the message
  /// [B, target_channels, floor(H · local cell / target cell), same for W], agent frame.
  /// Throws c10::Error on another shape.
  at::Tensor forward(const at::Tensor& local) override;
  /// The agent's own feature in the target space: `local` itself when the local space is
  /// the target space (the ego of a one-to-one pair, or m0 for PnPDA-P), else forward(local).
  at::Tensor local_prompt(const at::Tensor& local) override;
  const PnpdaOptions& options() const { return options_; }

 private:
  PnpdaOptions options_;
  torch::nn::Conv2d compressor_{nullptr};
  std::vector<EncoderLayer> enhancer_;
};

/// PnPDA receiver (ego side): the semantic converter (sine position of the ego grid,
/// decoder layers; each layer's output becomes the next layer's cav). 100608 trainable
/// parameters at the defaults.
class PnpdaReceiver : public Receiver {
 public:
  explicit PnpdaReceiver(const PnpdaOptions& options);
  /// common: [N, target_channels, H, W] float32 messages warped into the ego frame;
  /// ego_local: [1 or N, target_channels, H, W] float32 ego feature (the ego's
  /// local_prompt). Maps are zero-padded right/bottom to even sizes and cropped back.
  /// Returns [N, target_channels, H, W] in the target space, ego frame. Throws c10::Error
  /// on shape mismatches.
  at::Tensor forward(const at::Tensor& common, const at::Tensor& ego_local) override;
  const PnpdaOptions& options() const { return options_; }

 private:
  PnpdaOptions options_;
  std::vector<DecoderLayer> converter_;
};

}  // namespace concord::plugins::pnpda
