#pragma once
/// \file
/// MPDA (Xu et al., ICRA 2023) as a one-to-one sender/receiver pair
/// (reference/other-methods.md §D "MPDA", field-conventions.md §6.2; official
/// `sub_modules/resizer.py` LearnableResizer and `fuse_modules/wg_fusion_modules.py`
/// CrossDomainFusionEncoder). The sender runs the learnable resizer on the collaborator's
/// local feature, giving a message in the target space (the ego's local space, or the
/// protocol agent m0's for MPDA-P: that is only which space the pair is trained toward);
/// the receiver runs the sparse cross-domain transformer, where each message queries the
/// ego feature. The adversarial domain classifier is in domain_adaptation.hpp.

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "axial_attention.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"

namespace concord::plugins::mpda {

/// Multi-head cross attention inside token groups (official wg_fusion_modules
/// CrossAttention, qkv_bias true, no position bias; also PnPDA's adapter.py CrossAttention):
/// q, k, v each LayerNorm (fp32) + Linear C -> heads·dim_head; softmax(q kᵀ / sqrt(dim_head)) v
/// per head; proj Linear heads·dim_head -> C; plus the optional skip. query: [G, n, C],
/// key, value: [G, m, C] float32 tokens of the same groups -> [G, n, C].
class CrossAttentionImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a size is < 1.
  CrossAttentionImpl(int64_t channels, int64_t heads, int64_t dim_head);
  /// skip: [G, n, C] added to the output, or undefined for none. Throws c10::Error when
  /// key and value differ in shape.
  at::Tensor forward(const at::Tensor& query, const at::Tensor& key, const at::Tensor& value,
                     const at::Tensor& skip = {});

 private:
  int64_t heads_, dim_head_;
  torch::nn::LayerNorm q_norm_{nullptr}, k_norm_{nullptr}, v_norm_{nullptr};
  torch::nn::Linear to_q_{nullptr}, to_k_{nullptr}, to_v_{nullptr}, proj_{nullptr};
};
TORCH_MODULE(CrossAttention);

/// One CrossDomainSwapFusionBlock (official): query = collaborator, key = value = ego.
/// Local w x w windows: q = CrossAttention(q, ego, skip q); q = q + MLP1(LN1(q)); then the
/// dilated grid: q = CrossAttention(q, ego, skip q); q = q + MLP2(LN2(q)); q = LN(q).
/// MLPs are Linear C -> 2C, GELU, Linear 2C -> C. The official block also allocates an
/// unused FeedForward; it is absent here. ego, cav: [N, C, H, W] with H, W multiples of the
/// window -> [N, C, H, W].
class CrossDomainBlockImpl : public torch::nn::Module {
 public:
  CrossDomainBlockImpl(int64_t channels, int64_t heads, int64_t dim_head, int64_t window);
  at::Tensor forward(const at::Tensor& ego, const at::Tensor& cav);

 private:
  int64_t window_;
  CrossAttention local_attn_{nullptr}, grid_attn_{nullptr};
  torch::nn::LayerNorm local_norm_{nullptr}, grid_norm_{nullptr}, post_norm_{nullptr};
  torch::nn::Linear local_fc1_{nullptr}, local_fc2_{nullptr};
  torch::nn::Linear grid_fc1_{nullptr}, grid_fc2_{nullptr};
};
TORCH_MODULE(CrossDomainBlock);

/// Options of the cross-domain transformer (official `cdt` args: input_dim, heads,
/// dim_head, window_size, depth). Defaults chosen for 64-channel features.
struct CrossDomainEncoderOptions {
  int64_t channels = 64;
  int64_t heads = 4;
  int64_t dim_head = 16;
  int64_t window = 8;
  int64_t depth = 1;
};

/// The "sparse cross-domain transformer" (official CrossDomainFusionEncoder): zero-pad ego
/// and cav right/bottom to multiples of the window, `depth` blocks (ego stays the key/value),
/// crop back, mlp_head = LayerNorm + Linear C -> C. ego, cav: [N, C, H, W] float32, same
/// frame and grid, any H, W >= 1 -> [N, C, H, W].
class CrossDomainEncoderImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error on invalid options.
  explicit CrossDomainEncoderImpl(const CrossDomainEncoderOptions& options);
  /// Throws c10::Error when cav is not [N, channels, H, W] or ego differs in shape.
  at::Tensor forward(const at::Tensor& ego, const at::Tensor& cav);

 private:
  CrossDomainEncoderOptions options_;
  std::vector<CrossDomainBlock> blocks_;
  torch::nn::LayerNorm head_norm_{nullptr};
  torch::nn::Linear head_linear_{nullptr};
};
TORCH_MODULE(CrossDomainEncoder);

/// Residual block of the resizer (official `residual_block`): x + BN(conv3x3(LeakyReLU(
/// BN(conv3x3(x))))) with LeakyReLU slope 0.01, convs with bias, padding 1. [N, C, H, W] ->
/// [N, C, H, W]. BatchNorm uses batch statistics in training mode.
class ResidualBlockImpl : public torch::nn::Module {
 public:
  explicit ResidualBlockImpl(int64_t channels);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
};
TORCH_MODULE(ResidualBlock);

/// Options of the learnable resizer (official `resizer` args).
struct LearnableResizerOptions {
  int64_t in_channels = 64;     ///< collaborator channels (channel_selector input)
  int64_t out_channels = 64;    ///< target channels
  int64_t heads = 4;            ///< window/grid attention heads, dim_head = out / heads
  int64_t window = 8;           ///< attention window edge, cells
  int64_t mlp_dim = 64;         ///< FFN width of the window/grid attention
  double dropout = 0.1;         ///< attention/FFN dropout, training mode only
  int64_t residual_blocks = 2;  ///< official `residual.depth`
};

/// MPDA LearnableResizer: c = 1x1 conv in -> out (channel selector); c1 =
/// bilinear(SwapFusion_1(c), target grid); c2 = residual blocks(c1) + c1; out =
/// bilinear(c, target grid) + SwapFusion_2(c2). SwapFusion = one window + grid attention
/// block with LN + Linear head (negocollab::AxialAttention, which zero-pads to the window).
/// x [N, in_channels, H, W] float32 -> [N, out_channels, out_h, out_w].
class LearnableResizerImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error on invalid options.
  explicit LearnableResizerImpl(const LearnableResizerOptions& options);
  /// Throws c10::Error on another rank/channel count or out_h/out_w < 1.
  at::Tensor forward(const at::Tensor& x, int64_t out_h, int64_t out_w);

 private:
  LearnableResizerOptions options_;
  torch::nn::Conv2d channel_selector_{nullptr};
  negocollab::AxialAttention wg_att_1_{nullptr}, wg_att_2_{nullptr};
  std::vector<ResidualBlock> res_blocks_;
};
TORCH_MODULE(LearnableResizer);

/// Options of both factories (plugin.toml "sender"/"mpda" and "receiver"/"mpda").
struct MpdaOptions {
  int64_t local_channels = 64;      ///< C of the sending agent's local feature
  double local_cell_size_m = 0.8;   ///< its BEV cell edge, m
  int64_t target_channels = 64;     ///< C of the target space (ego's local, or m0's)
  double target_cell_size_m = 0.8;  ///< cell edge of the target grid, m
  /// "ego" (one-to-one MPDA) or "protocol" (MPDA-P: the target space is m0's). Recorded
  /// only: both train the same modules, toward different target features.
  std::string target_space = "ego";
  int64_t heads = 4;  ///< resizer attention heads
  int64_t window = 8;
  int64_t mlp_dim = 64;
  double dropout = 0.1;
  int64_t residual_blocks = 2;
  int64_t cdt_heads = 4;
  int64_t cdt_dim_head = 16;
  int64_t cdt_depth = 1;
};

/// MPDA sender (collaborator side): the learnable resizer, local -> target space.
/// 264400 trainable parameters at the defaults. Throws c10::Error from the constructor on
/// invalid options.
class MpdaSender : public Sender {
 public:
  explicit MpdaSender(const MpdaOptions& options);
  /// local: [B, local_channels, H, W] float32, agent frame. Returns the message
  /// [B, target_channels, floor(H · local cell / target cell), same for W], agent frame.
  /// Throws c10::Error on another shape.
  at::Tensor forward(const at::Tensor& local) override;
  /// The agent's own feature in the target space: `local` itself when the local space is
  /// the target space (the ego of a one-to-one pair, or m0 for MPDA-P), else forward(local).
  at::Tensor local_prompt(const at::Tensor& local) override;
  const MpdaOptions& options() const { return options_; }

 private:
  MpdaOptions options_;
  LearnableResizer resizer_{nullptr};
};

/// MPDA receiver (ego side): the cross-domain transformer, each message querying the ego
/// feature. 71872 trainable parameters at the defaults.
class MpdaReceiver : public Receiver {
 public:
  explicit MpdaReceiver(const MpdaOptions& options);
  /// common: [N, target_channels, H, W] float32 messages warped into the ego frame;
  /// ego_local: [1 or N, target_channels, H, W] float32 ego feature in the target space
  /// (the ego's MpdaSender::local_prompt). Returns [N, target_channels, H, W] in the target
  /// space, ego frame. Throws c10::Error on shape mismatches.
  at::Tensor forward(const at::Tensor& common, const at::Tensor& ego_local) override;
  const MpdaOptions& options() const { return options_; }

 private:
  MpdaOptions options_;
  CrossDomainEncoder cdt_{nullptr};
};

}  // namespace concord::plugins::mpda
