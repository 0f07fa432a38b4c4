#include "mpda_alignment.hpp"

namespace concord::plugins::mpda {

MpdaAlignmentLoss::MpdaAlignmentLoss(const MpdaAlignmentOptions& options) : options_(options) {
  TORCH_CHECK(options.weight >= 0.0, "mpda alignment: weight must be >= 0, got ", options.weight);
  classifier_ = register_module("classifier", DomainClassifier(options.classifier));
}

LossTerms MpdaAlignmentLoss::forward(Sender&, Receiver&, const at::Tensor&,
                                     const at::Tensor& message, const at::Tensor& target,
                                     const AlignmentGroundTruth&) {
  // Source domain = the protocol's own features (label 0), adapted = the message (label 1).
  const at::Tensor adversarial =
      mpda_adversarial_loss(classifier_, target.to(at::kFloat), message.to(at::kFloat));
  LossTerms terms;
  terms["adversarial"] = adversarial;
  terms["total"] = options_.weight * adversarial;
  return terms;
}

}  // namespace concord::plugins::mpda
