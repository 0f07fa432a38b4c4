#pragma once
/// \file
/// Max fusion (HEAL `fuse_modules/max_fusion`; reference/field-conventions.md §2.2).

#include "concord/modules/fusion.hpp"

namespace concord::plugins {

/// Element-wise maximum over each sample's agents. No parameters.
class MaxFusion : public Fusion {
 public:
  /// input.features: [sum(agents_per_sample), C, H, W] float32, ego frame.
  /// input.valid (optional): [sum, 1, H, W]; invalid cells do not take part, and a
  /// cell no agent covers is 0. Returns fused [B, C, H, W]; no occupancy maps.
  /// Throws c10::Error when agents_per_sample does not match the features.
  FusionOutput forward(const FusionInput& input) override;
};

}  // namespace concord::plugins
