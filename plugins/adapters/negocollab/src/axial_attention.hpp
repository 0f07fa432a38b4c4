#pragma once
/// \file
/// Fused axial (window + grid) attention of the NegoCollab sender aligner: a FAX /
/// CoBEVT SwapFusion encoder with one block (official `wg_fusion_modules.Converter`;
/// reference/negocollab-official-code.md §1.2 step 3; paper eq. 2), plus the window
/// helpers shared with the receiver's cross-domain converter.

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <cstdint>
#include <vector>

namespace concord::plugins::negocollab {

/// Zero-pads x [N, C, H, W] on the right and bottom to multiples of `window`
/// (official `sc_padding` + `F.pad`). Returns x itself when nothing is needed.
at::Tensor pad_to_window(const at::Tensor& x, int64_t window);

/// Local windows, einops "b d (x w1) (y w2) -> (b x y) (w1 w2) d": x [N, C, X w, Y w]
/// -> tokens [N X Y, w w, C]; window (x, y) holds cells (x w + i, y w + j), token i w + j.
/// Throws c10::Error when H or W is not a multiple of w.
at::Tensor window_partition(const at::Tensor& x, int64_t window);
/// Inverse of window_partition: tokens [N X Y, w w, C] -> [N, C, height, width].
at::Tensor window_merge(const at::Tensor& tokens, int64_t window, int64_t height, int64_t width);

/// Dilated grid, einops "b d (w1 x) (w2 y) -> (b x y) (w1 w2) d": group (x, y) holds the
/// cells (i X + x, j Y + y), token i w + j, with X = H / w and Y = W / w, so one group
/// spans the whole map. Throws c10::Error when H or W is not a multiple of w.
at::Tensor grid_partition(const at::Tensor& x, int64_t window);
/// Inverse of grid_partition.
at::Tensor grid_merge(const at::Tensor& tokens, int64_t window, int64_t height, int64_t width);

/// Relative position index of a w x w window (official `Attention.rel_pos_indices`):
/// [w w, w w] int64, entry (i, j) = (i1 - j1 + w - 1) (2w - 1) + (i2 - j2 + w - 1)
/// for tokens i = i1 w + i2 and j = j1 w + j2; values in [0, (2w - 1)^2).
at::Tensor relative_position_index(int64_t window);

/// Multi-head self-attention inside each group of w x w tokens with a learned relative
/// position bias (official `Attention`): qkv Linear C -> 3C (no bias), heads = C / dim_head,
/// scale dim_head^-0.5, bias table [(2w-1)^2, heads] (Embedding, N(0, 1) init), softmax,
/// dropout, out Linear C -> C (no bias), dropout. tokens [G, w w, C] -> [G, w w, C].
class RelPosSelfAttentionImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels is not a positive multiple of heads, or window < 1.
  RelPosSelfAttentionImpl(int64_t channels, int64_t heads, int64_t window, double dropout);
  at::Tensor forward(const at::Tensor& tokens);

 private:
  int64_t heads_;
  double dropout_;
  torch::nn::Linear to_qkv_{nullptr}, to_out_{nullptr};
  torch::nn::Embedding rel_pos_bias_{nullptr};
  at::Tensor rel_pos_index_;  ///< buffer [w w, w w]
};
TORCH_MODULE(RelPosSelfAttention);

/// Transformer FFN of the aligner (OpenCOOD `base_transformer.FeedForward`): Linear
/// C -> hidden, GELU, dropout, Linear hidden -> C, dropout. [..., C] -> [..., C].
class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t channels, int64_t hidden, double dropout);
  at::Tensor forward(const at::Tensor& x);

 private:
  double dropout_;
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(FeedForward);

/// One SwapFusion block: on the local-window tokens, x + MHSA(LN(x)) then x + FFN(LN(x));
/// then the same (own weights) on the grid tokens. x [N, C, H, W] with H, W multiples
/// of the window -> the same shape.
class AxialAttentionBlockImpl : public torch::nn::Module {
 public:
  AxialAttentionBlockImpl(int64_t channels, int64_t heads, int64_t window, int64_t mlp_dim,
                          double dropout);
  at::Tensor forward(const at::Tensor& x);

 private:
  int64_t window_;
  torch::nn::LayerNorm window_attn_norm_{nullptr}, window_ffn_norm_{nullptr};
  torch::nn::LayerNorm grid_attn_norm_{nullptr}, grid_ffn_norm_{nullptr};
  RelPosSelfAttention window_attn_{nullptr}, grid_attn_{nullptr};
  FeedForward window_ffn_{nullptr}, grid_ffn_{nullptr};
};
TORCH_MODULE(AxialAttentionBlock);

/// Options of the sender aligner; defaults are the official config (`converter` args:
/// dim 64, window 8, heads 4 so dim_head 16, mlp_dim = dim, dropout 0.1, 1 block).
struct AxialAttentionOptions {
  int64_t channels = 64;
  int64_t heads = 4;
  int64_t window = 8;
  int64_t mlp_dim = 64;
  double dropout = 0.1;
  int64_t blocks = 1;
};

/// The sender aligner (paper eq. 2): zero-pad right/bottom to multiples of the window,
/// `blocks` AxialAttentionBlocks, crop back, mlp_head = LN + Linear C -> C over channels.
/// x [N, C, H, W] float32, any H, W >= 1 -> [N, C, H, W]. Dropout is active only in
/// training mode. Padded cells take part in the attention as in the official code.
class AxialAttentionImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error on invalid options.
  explicit AxialAttentionImpl(const AxialAttentionOptions& options);
  /// Throws c10::Error when x is not [N, channels, H, W].
  at::Tensor forward(const at::Tensor& x);

 private:
  AxialAttentionOptions options_;
  std::vector<AxialAttentionBlock> blocks_;
  torch::nn::LayerNorm head_norm_{nullptr};
  torch::nn::Linear head_linear_{nullptr};
};
TORCH_MODULE(AxialAttention);

}  // namespace concord::plugins::negocollab
