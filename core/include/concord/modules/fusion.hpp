#pragma once
/// \file
/// Fusion: merges the agents' BEV features of each sample into one ego feature
/// (HEAL pyramid fusion, max fusion; reference/field-conventions.md §2.2).

#include <torch/nn/module.h>

#include <cstdint>
#include <vector>

#include "concord/export.hpp"
#include "concord/modules/loss_terms.hpp"

namespace concord {

/// Features of all agents of a batch, already warped into each sample's ego frame.
struct FusionInput {
  /// [sum(agents_per_sample), C, H, W] float32; each sample's ego comes first.
  at::Tensor features;
  /// Number of agents of each of the B samples (HEAL's record_len); sums to features.size(0).
  std::vector<int64_t> agents_per_sample;
  /// Optional [sum, 1, H, W] float32 validity mask (1 where the warped feature is defined).
  at::Tensor valid;
};

/// Output of a fusion module.
struct FusionOutput {
  /// Fused feature [B, C_out, H_out, W_out] float32, ego frame.
  at::Tensor fused;
  /// Per-level occupancy logits for auxiliary losses (pyramid fusion); may be empty.
  std::vector<at::Tensor> occupancy;
};

/// Abstract fusion.
class CONCORD_CORE_API Fusion : public torch::nn::Module {
 public:
  static constexpr const char* kKind = "fusion";
  ~Fusion() override;
  /// Fuses each sample's agents. Throws c10::Error when shapes disagree with agents_per_sample.
  virtual FusionOutput forward(const FusionInput& input) = 0;
  /// The fusion's auxiliary training terms for `out` = forward(input) (e.g. HEAL's pyramid
  /// occupancy loss; reference/field-conventions.md §2.4), already weighted, no "total".
  /// occupancy_labels: [N, 1, H, W] float32, one map per agent of the input (same order,
  /// ego frame, H x W = the input grid = the anchor grid), built from that agent's OWN
  /// labels (DetectionHead::occupancy_labels): 1 = occupied, 0 = free, -1 = ignore. The
  /// default returns no terms (a fusion without auxiliary supervision). Throws c10::Error
  /// when the labels do not match the output's maps.
  virtual LossTerms loss(const FusionOutput& out, const at::Tensor& occupancy_labels);
};

}  // namespace concord
