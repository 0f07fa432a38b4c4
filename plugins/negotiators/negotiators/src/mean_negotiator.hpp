#pragma once
/// \file
/// The "vanilla" negotiator of the ablation (reference sheet §1.4, `heter_nego_train_vanilla.py`):
/// no network, the common representation is the element-wise mean of the inputs.

#include "concord/modules/negotiator.hpp"

namespace concord::plugins::negotiators {

/// P = (1 / M) sum_m U^(m). No parameters.
class MeanNegotiator : public Negotiator {
 public:
  /// locals: M >= 1 tensors [B, C, H, W] of one shape, dtype and device (any C).
  /// Returns [B, C, H, W] (for M = 1 the input tensor itself, not a copy). Throws c10::Error on an
  /// empty list or mismatched shapes.
  at::Tensor forward(const std::vector<at::Tensor>& locals) override;
};

}  // namespace concord::plugins::negotiators
