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
  /// The sender-side local feature that the ego's own receiver uses as its key/value
  /// prompt (NegoCollab: the recombiner output, reference/negocollab-official-code.md
  /// §1.2 step 2). local: as forward(). Returns [B, C_common, H_common, W_common]
  /// float32 on the common grid, agent frame. Default: `local` unchanged (a sender whose
  /// local space is already the common space).
  virtual at::Tensor local_prompt(const at::Tensor& local);
};

}  // namespace concord
