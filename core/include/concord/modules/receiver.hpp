#pragma once
/// \file
/// Receiver: common representation → the ego's local representation
/// (NegoCollab eq. 3-4: converter → recombiner → resize back).

#include <torch/nn/module.h>

#include "concord/export.hpp"

namespace concord {

/// Abstract receiver.
class CONCORD_CORE_API Receiver : public torch::nn::Module {
 public:
  static constexpr const char* kKind = "receiver";
  ~Receiver() override;
  /// common: [N, C_common, H, W] float32 messages of N collaborators, already warped
  ///   into the ego frame (common grid).
  /// ego_local: [1, C, H, W] float32, the ego's prompt = its own
  ///   Sender::local_prompt(local feature), on the common grid, ego frame; or
  ///   [N, C, H, W], one prompt per message (NegoCollab stage 1, where every
  ///   agent-frame receives its own P back).
  /// Returns [N, C_local, H_local, W_local] float32 in the ego's local space, ego frame.
  virtual at::Tensor forward(const at::Tensor& common, const at::Tensor& ego_local) = 0;
};

}  // namespace concord
