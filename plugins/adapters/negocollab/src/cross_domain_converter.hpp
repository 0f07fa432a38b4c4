#pragma once
/// \file
/// Cross-domain converter of the NegoCollab receiver (official
/// `wg_fusion_modules.CrossdomianConverter` with `CrossDomainSwapFusionBlock`;
/// reference/negocollab-official-code.md §1.3 step 3; paper eq. 3): each received
/// common feature queries the ego prompt inside the same 8x8 local windows.

#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace concord::plugins::negocollab {

/// Windowed cross attention: q, k, v are each LN + Linear C -> C (bias); per head
/// softmax(q k^T / sqrt(dim_head)) v, no position bias and no dropout, proj Linear
/// C -> C (bias), plus the skip (the un-normalised query tokens).
/// query, key_value: [G, n, C] tokens of the same windows -> [G, n, C].
class WindowCrossAttentionImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels is not a positive multiple of heads.
  WindowCrossAttentionImpl(int64_t channels, int64_t heads);
  at::Tensor forward(const at::Tensor& query, const at::Tensor& key_value);

 private:
  int64_t heads_;
  torch::nn::LayerNorm q_norm_{nullptr}, k_norm_{nullptr}, v_norm_{nullptr};
  torch::nn::Linear to_q_{nullptr}, to_k_{nullptr}, to_v_{nullptr}, proj_{nullptr};
};
TORCH_MODULE(WindowCrossAttention);

/// One cross-domain block (official CrossDomainSwapFusionBlock, local windows only):
/// x = WindowCrossAttention(windows(query), windows(prompt)); x = LN(x);
/// x = x + FFN(x) with FFN = Linear C -> 2C, GELU, Linear 2C -> C; x = LN(x) (post-norm).
/// query, prompt: [N, C, H, W] with H, W multiples of the window -> [N, C, H, W].
class CrossDomainBlockImpl : public torch::nn::Module {
 public:
  CrossDomainBlockImpl(int64_t channels, int64_t heads, int64_t window);
  at::Tensor forward(const at::Tensor& query, const at::Tensor& prompt);

 private:
  int64_t window_;
  WindowCrossAttention cross_attn_{nullptr};
  torch::nn::LayerNorm pre_norm_{nullptr}, post_norm_{nullptr};
  torch::nn::Linear ffn1_{nullptr}, ffn2_{nullptr};
};
TORCH_MODULE(CrossDomainBlock);

/// Options of the converter; defaults are the official config (`converter` args).
struct CrossDomainConverterOptions {
  int64_t channels = 64;
  int64_t heads = 4;  ///< dim_head = channels / heads = 16
  int64_t window = 8;
  int64_t blocks = 1;
};

/// The receiver converter: zero-pads query and prompt right/bottom to multiples of the
/// window, runs the blocks (the prompt stays the key/value of every block), crops back,
/// mlp_head = LN + Linear C -> C over channels.
/// query: [N, C, H, W] float32 received common features; prompt: [N, C, H, W] float32
/// ego prompt in the same frame and grid. Returns [N, C, H, W]. An output cell depends
/// only on the query and prompt cells of its own window.
class CrossDomainConverterImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error on invalid options.
  explicit CrossDomainConverterImpl(const CrossDomainConverterOptions& options);
  /// Throws c10::Error when query is not [N, channels, H, W] or prompt differs in shape.
  at::Tensor forward(const at::Tensor& query, const at::Tensor& prompt);

 private:
  CrossDomainConverterOptions options_;
  std::vector<CrossDomainBlock> blocks_;
  torch::nn::LayerNorm head_norm_{nullptr};
  torch::nn::Linear head_linear_{nullptr};
};
TORCH_MODULE(CrossDomainConverter);

}  // namespace concord::plugins::negocollab
