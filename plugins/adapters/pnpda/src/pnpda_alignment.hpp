#pragma once
/// \file
/// PnPDA-P's training objective as an alignment loss (experiment [alignment] plugin =
/// "pnpda", with [alliance] protocol_agent): the semantic calibrator's per-object InfoNCE
/// (calibrator_loss.hpp; reference other-methods.md "PnPDA", official
/// `loss/contrastive_learning_loss.py`) between the protocol agent's local feature F_P
/// (queries, fixed) and the member's message A(F_M) (keys), each pooled inside the
/// ground-truth boxes. The official code pre-trains the adapter with this loss, then
/// fine-tunes with detection; here stage 1 trains the sender with it plus the host's task
/// (pragmatic occupancy) term, and stage 2 adapts the receiver with detection, as the
/// paper's "-P" variants do.

#include "concord/modules/alignment_loss.hpp"

namespace concord::plugins::pnpda {

/// Parameters of the "alignment"/"pnpda" factory.
struct PnpdaAlignmentOptions {
  double tau = 0.1;        ///< InfoNCE temperature (official 0.1)
  int64_t max_cells = 40;  ///< cells pooled per object (official samples at most 40)
  double weight = 1.0;     ///< weight of the contrastive term in "total"
};

/// The calibrator's contrastive objective; no parameters of its own.
class PnpdaAlignmentLoss : public AlignmentLoss {
 public:
  /// Throws c10::Error when tau <= 0 or weight < 0.
  explicit PnpdaAlignmentLoss(const PnpdaAlignmentOptions& options);
  /// message: [B, C, H, W] A(F_M) (keys); target: [B, C, H, W] F_P (queries, detached by the
  /// host); truth.boxes: B tensors [M_b, 7] in Concord's [x, y, z, h, w, l, yaw] order (the
  /// calibrator's box_cell_mask reads [x, y, z, l, w, h, yaw]; the columns are swapped
  /// here) on truth.grid (H x W cells). local and the adapters are unused. Returns
  /// "contrastive" (mean InfoNCE over the objects that cover a cell, float32; 0 without
  /// objects) and "total" = weight · contrastive. Throws c10::Error when message and
  /// target differ in shape, the box count differs from B or the grid from H x W.
  LossTerms forward(Sender& sender, Receiver& receiver, const at::Tensor& local,
                    const at::Tensor& message, const at::Tensor& target,
                    const AlignmentGroundTruth& truth) override;
  const PnpdaAlignmentOptions& options() const { return options_; }

 private:
  PnpdaAlignmentOptions options_;
};

}  // namespace concord::plugins::pnpda
