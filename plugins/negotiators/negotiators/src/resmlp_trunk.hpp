#pragma once
/// \file
/// ResMLP trunk of the "ResMlp" negotiator (paper Table 8; Touvron et al., "ResMLP", 2021)
/// adapted to BEV maps of any size: every layer acts per BEV cell (1x1 convs).

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "shared_trunk_negotiator.hpp"

namespace concord::plugins::negotiators {

/// One ResMLP block on [N, C, H, W] float32 (shape kept):
///   x = x + g1 ⊙ Linear_CxC(Aff1(x)),  x = x + g2 ⊙ Linear_rCxC(GELU(Linear_CxrC(Aff2(x)))),
/// with Aff(x) = a ⊙ x + b per channel (a = 1, b = 0 at init), layer scales g (init
/// `layer_scale_init`) and the linears as 1x1 convs (bias). Departure from ResMLP: its first
/// sublayer mixes patches with a linear over a fixed patch count; a BEV map has no fixed size,
/// so here it is a per-cell channel linear and spatial context comes from the shrink header.
class ResMlpBlockImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels or mlp_ratio < 1.
  ResMlpBlockImpl(int64_t channels, int64_t mlp_ratio, double layer_scale_init);
  at::Tensor forward(const at::Tensor& x);

 private:
  at::Tensor aff1_scale_, aff1_shift_, aff2_scale_, aff2_shift_, gamma1_, gamma2_;
  torch::nn::Conv2d mix_{nullptr}, fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(ResMlpBlock);

/// `blocks` ResMLP blocks: [N, C, H, W] -> [N, C, H, W].
class ResMlpTrunk : public Trunk {
 public:
  /// Throws c10::Error when blocks < 1 (see ResMlpBlockImpl for the rest).
  ResMlpTrunk(int64_t channels, int64_t blocks, int64_t mlp_ratio, double layer_scale_init);
  at::Tensor forward(const at::Tensor& x) override;

 private:
  std::vector<ResMlpBlock> blocks_;
};

}  // namespace concord::plugins::negotiators
