#pragma once
/// \file
/// Negotiator: derives the common representation P from the alliance members'
/// local representations (NegoCollab eq. 9-13).

#include <torch/nn/module.h>

#include <vector>

#include "concord/export.hpp"

namespace concord {

/// Abstract negotiator.
class CONCORD_CORE_API Negotiator : public torch::nn::Module {
 public:
  static constexpr const char* kKind = "negotiator";
  ~Negotiator() override;
  /// locals: one tensor per alliance modality, each [B, C_common, H_common, W_common]
  ///   float32 (already resized to the common grid), same frame and frames order.
  /// Returns the common representation P [B, C_common, H_common, W_common] float32.
  virtual at::Tensor forward(const std::vector<at::Tensor>& locals) = 0;
};

}  // namespace concord
