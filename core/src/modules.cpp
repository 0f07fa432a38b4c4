// Out-of-line virtual destructors of the module bases: they make concord_core
// the one home of each base's vtable and type_info, so dynamic_cast and catch
// work across hidden-visibility plugins (reference/cpp-style-anchors.md §1.8).
#include "concord/modules/alignment_loss.hpp"
#include "concord/modules/detection_head.hpp"
#include "concord/modules/encoder.hpp"
#include "concord/modules/fusion.hpp"
#include "concord/modules/negotiator.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"

namespace concord {

Encoder::~Encoder() = default;
LossTerms Encoder::loss(const EncoderOutput&, const SensorInput&) {
  return {};
}
Sender::~Sender() = default;
at::Tensor Sender::local_prompt(const at::Tensor& local) {
  return local;
}
Receiver::~Receiver() = default;
Negotiator::~Negotiator() = default;
AlignmentLoss::~AlignmentLoss() = default;
Fusion::~Fusion() = default;
LossTerms Fusion::loss(const FusionOutput&, const at::Tensor&) {
  return {};
}
DetectionHead::~DetectionHead() = default;
at::Tensor DetectionHead::occupancy_labels(const std::vector<at::Tensor>&) {
  TORCH_CHECK(false, "this detection head has no anchor targets, so no occupancy labels");
}

}  // namespace concord
