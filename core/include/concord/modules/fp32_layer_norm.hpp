#pragma once
/// \file
/// LayerNorm evaluated in fp32 whatever the input dtype. Under CPU bf16 autocast
/// (concord::AutocastScope) linear layers emit bf16, and LibTorch 1.13's CPU
/// layer_norm refuses a bf16 input with fp32 weight/bias ("expected scalar type");
/// normalising in fp32 is also what autocast does on CUDA (layer_norm is on its
/// fp32 list). The next linear/conv casts back to bf16 under autocast.

#include <ATen/ATen.h>
#include <torch/nn/modules/normalization.h>

namespace concord {

/// `norm(x)` computed in float32: x [..., C] any floating dtype → float32 [..., C]
/// (same values as norm->forward(x.float())). Throws what LayerNorm throws for a
/// wrong trailing shape.
inline at::Tensor layer_norm_fp32(const torch::nn::LayerNorm& norm, const at::Tensor& x) {
  const auto& o = norm->options;
  return at::layer_norm(x.scalar_type() == at::kFloat ? x : x.to(at::kFloat), o.normalized_shape(),
                        norm->weight, norm->bias, o.eps());
}

}  // namespace concord
