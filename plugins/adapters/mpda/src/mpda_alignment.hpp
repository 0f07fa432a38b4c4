#pragma once
/// \file
/// MPDA-P's training objective as an alignment loss (experiment [alignment] plugin =
/// "mpda", with [alliance] protocol_agent): the adversarial domain loss of MPDA
/// (domain_adaptation.hpp) between the protocol agent's local feature F_P (source
/// domain, label 0) and the member's message A(F_M) (adapted domain, label 1). The
/// classifier sits behind the gradient-reversal layer, so one minimisation trains it to
/// tell the domains apart and the sender to make them indistinguishable; the host adds
/// the task term on A(F_M). Reference: other-methods.md §D "MPDA" (the official code adds
/// the image-level DA loss to the detection loss; here the protocol agent's features
/// play the ego's part, as the paper's "-P" variants do).

#include "concord/modules/alignment_loss.hpp"
#include "domain_adaptation.hpp"

namespace concord::plugins::mpda {

/// Parameters of the "alignment"/"mpda" factory.
struct MpdaAlignmentOptions {
  DomainClassifierOptions classifier;  ///< C, hidden width, reversal strength λ
  double weight = 1.0;                 ///< weight of the adversarial term in "total"
};

/// The adversarial loss with its own domain classifier (33793 trainable parameters at
/// C = 64, hidden 512), which the host trains with the sender and receiver during stage 1
/// and joining (and keeps in those checkpoints; inference does not need it).
class MpdaAlignmentLoss : public AlignmentLoss {
 public:
  /// Throws c10::Error for invalid classifier options or a negative weight.
  explicit MpdaAlignmentLoss(const MpdaAlignmentOptions& options);
  /// message: [B, C, H, W] A(F_M); target: [B, C, H', W'] F_P (detached by the host);
  /// local, the adapters and the ground truth are unused. Returns "adversarial" (the domain
  /// BCE, float32, ln 2 for an undecided classifier) and "total" = weight · adversarial.
  /// Throws c10::Error when the channels differ from the classifier's.
  LossTerms forward(Sender& sender, Receiver& receiver, const at::Tensor& local,
                    const at::Tensor& message, const at::Tensor& target,
                    const AlignmentGroundTruth& truth) override;
  DomainClassifier& classifier() { return classifier_; }

 private:
  MpdaAlignmentOptions options_;
  DomainClassifier classifier_{nullptr};
};

}  // namespace concord::plugins::mpda
