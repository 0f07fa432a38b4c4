#pragma once
/// \file
/// Sparse (windowed) transformer trunk of the "Sparse Transformer" negotiator (paper Table 8;
/// CoBEVT's fused axial attention, Xu et al. 2022, which NegoCollab's sender aligner uses,
/// reference sheet §1.2 step 3): blocks alternate local-window and grid-window multi-head
/// self-attention on a map zero-padded to a multiple of the window.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "shared_trunk_negotiator.hpp"
#include "window_partition.hpp"

namespace concord::plugins::negotiators {

/// Pre-norm transformer block on channels-last maps [N, H, W, C] float32 (H, W multiples of
/// `window`; shape kept): x += Proj(WindowMHSA(LN(x))), x += Linear_rCxC(GELU(Linear_CxrC(LN(x)))).
/// MHSA over w*w-token windows of `layout`: qkv Linear without bias, scale (C / heads)^-0.5, a
/// learned relative position bias table [(2w-1)^2, heads] (std 0.02 normal init), output Linear
/// with bias. Keys in padded cells are masked out, so valid cells never see the padding.
/// No dropout (the sender's FAX uses 0.1; the negotiator is kept deterministic).
class WindowAttentionBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels is not a multiple of heads, or a size is < 1.
  WindowAttentionBlockImpl(int64_t channels, int64_t heads, int64_t window, int64_t mlp_ratio,
                           WindowLayout layout);
  /// x: [N, H, W, C]. key_mask: [1, H, W, 1] float, 1 for real cells and 0 for padding, or
  /// undefined when nothing is padded.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& key_mask);

 private:
  int64_t heads_, window_;
  WindowLayout layout_;
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Linear qkv_{nullptr}, proj_{nullptr}, fc1_{nullptr}, fc2_{nullptr};
  at::Tensor bias_table_;      // [(2w-1)^2, heads]
  at::Tensor relative_index_;  // [w^2 * w^2] int64 buffer
};
TORCH_MODULE(WindowAttentionBlock);

/// `blocks` WindowAttentionBlocks, local windows at even indices and grid windows at odd ones.
/// [N, C, H, W] -> [N, C, H, W]: zero-pads right/bottom to multiples of `window`, runs the
/// blocks channels-last and crops the padding off.
class WindowTransformerTrunk : public Trunk {
 public:
  /// Throws c10::Error when blocks < 1 (see WindowAttentionBlockImpl for the rest).
  WindowTransformerTrunk(int64_t channels, int64_t blocks, int64_t heads, int64_t window,
                         int64_t mlp_ratio);
  at::Tensor forward(const at::Tensor& x) override;

 private:
  int64_t window_;
  std::vector<WindowAttentionBlock> blocks_;
};

}  // namespace concord::plugins::negotiators
