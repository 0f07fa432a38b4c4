#pragma once
/// \file
/// Sender: local representation → common representation (NegoCollab eq. 1-2:
/// resizer → recombiner → aligner). What goes on the wire.

#include <torch/nn/module.h>

#include "concord/export.hpp"

namespace concord {

/// Abstract sender.
class CONCORD_CORE_API Sender : public torch::nn::Module {
 public:
  static constexpr const char* kKind = "sender";
  ~Sender() override;
  /// local: [B, C_local, H_local, W_local] float32, agent frame.
  /// Returns the common-representation message [B, C_common, H_common, W_common], agent frame.
  virtual at::Tensor forward(const at::Tensor& local) = 0;
};

}  // namespace concord
