#pragma once
/// \file
/// AlignmentLoss: the training objective of one agent's sender/receiver pair against a
/// fixed target space: align-to-common baselines such as STAMP (reference
/// other-methods.md), where the target is the protocol agent's local feature.

#include <torch/nn/module.h>

#include <vector>

#include "concord/export.hpp"
#include "concord/geometry/bev_grid.hpp"
#include "concord/modules/loss_terms.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"

namespace concord {

/// The batch's ground truth, for alignment losses that look at objects (PnPDA's calibrator
/// pools features inside boxes).
struct AlignmentGroundTruth {
  /// B tensors [M_b, 7] float32 [x, y, z, h, w, l, yaw] (m, rad), each in its agent-frame's
  /// own frame (Concord's box convention, detection_head.hpp); may be empty.
  std::vector<at::Tensor> boxes;
  /// The extent of the message / target maps in that frame (a crop of the common grid
  /// during cropped negotiation).
  BevGrid grid;
};

/// Abstract alignment loss (kind "alignment", experiment section [alignment]). The host
/// adds the task term and trains the sender and receiver; parameters the loss itself
/// holds (e.g. MPDA's adversarial domain classifier) train with them during stage 1 and
/// joining and are kept in those checkpoints, not in the alliance artifact (inference
/// does not use them). STAMP's loss holds none.
class CONCORD_CORE_API AlignmentLoss : public torch::nn::Module {
 public:
  static constexpr const char* kKind = "alignment";
  ~AlignmentLoss() override;
  /// The objective of one member's `sender` (local → target space) and `receiver`
  /// (target space → local) on a batch of B agent-frames, all in the agent's frame:
  /// local: [B, C_local, H, W] the member's local feature.
  /// message: [B, C_target, H_t, W_t] = sender.forward(local), computed once by the
  ///   host (which also puts its task term on it); gradients flow through it.
  /// target: [B, C_target, H_t, W_t] the protocol agent's local feature of the same
  ///   agent-frames (one-to-one pairs: the partner member's), fixed (detached by the host).
  /// truth: the B agent-frames' boxes and the maps' grid (losses without objects ignore it).
  /// Returns named 0-dim float32 terms as the method reports them (its unweighted parts)
  /// and "total", the weighted sum the host minimises. Throws c10::Error on shape
  /// mismatches.
  virtual LossTerms forward(Sender& sender, Receiver& receiver, const at::Tensor& local,
                            const at::Tensor& message, const at::Tensor& target,
                            const AlignmentGroundTruth& truth) = 0;
};

}  // namespace concord
