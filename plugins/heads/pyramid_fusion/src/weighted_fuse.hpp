#pragma once
/// \file
/// Per-sample softmax weighting of the agents' features at one pyramid level
/// (HEAL `fuse_modules/pyramid_fuse.py` weighted_fuse, without its warp: Concord's
/// features arrive already in each sample's ego frame; reference/field-conventions.md §2.2).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace concord::plugins::pyramid {

/// Per-pixel fusion weights: for each sample b (its agents are the consecutive rows
/// given by agents_per_sample) and pixel, w_i = exp(s_i) / sum_j exp(s_j) over the
/// sample's agents whose score s_j > 0; agents with s_i == 0 get weight 0, and a pixel
/// where every agent has score 0 gets all-zero weights. This equals HEAL's
/// masked_fill(score == 0, -inf), softmax over agents, NaN -> 0, but produces no NaN
/// (neither forward nor backward). scores: [N, 1, H, W] float32 >= 0 (HEAL: sigmoid(logit)
/// + 1e-4, times the validity), N = sum(agents_per_sample). Returns [N, 1, H, W] float32,
/// differentiable in the scores. Throws c10::Error when scores is not [N, 1, H, W] or a
/// sample has < 1 agent or the counts do not sum to N.
at::Tensor agent_weights(const at::Tensor& scores, const std::vector<int64_t>& agents_per_sample);

/// Weighted sum of each sample's agents: fused[b] = sum_i w_i * features_i over the sample's
/// agents, with w = agent_weights(scores, agents_per_sample). features: [N, C, H, W]
/// float32 (ego frame), scores: [N, 1, H, W] as agent_weights. Returns [B, C, H, W] float32.
/// A sample with one agent of positive score returns that agent's feature unchanged.
/// Throws c10::Error as agent_weights, or when features and scores disagree in N, H, W.
at::Tensor weighted_fuse(const at::Tensor& features, const at::Tensor& scores,
                         const std::vector<int64_t>& agents_per_sample);

}  // namespace concord::plugins::pyramid
