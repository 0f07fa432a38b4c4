#pragma once
/// \file
/// Encoder: an agent type's frozen perception front end, sensor data → local
/// BEV representation (NegoCollab §3, "local representation"; HEAL encoders in
/// reference/field-conventions.md §2.1).

#include <torch/nn/module.h>

#include "concord/export.hpp"
#include "concord/modules/loss_terms.hpp"
#include "concord/modules/sensor_input.hpp"

namespace concord {

/// Output of an encoder.
struct EncoderOutput {
  /// Local BEV feature [B, C, H, W] float32, agent frame, on the agent's grid.
  at::Tensor bev;
  /// Camera encoders only: depth logits [B * Ncam, D, h, w] for depth supervision; else undefined.
  at::Tensor depth_logits;
};

/// Abstract encoder. Plugins derive from it; the host holds it as std::shared_ptr<Encoder>.
class CONCORD_CORE_API Encoder : public torch::nn::Module {
 public:
  /// Registry kind string of this base.
  static constexpr const char* kKind = "encoder";
  ~Encoder() override;
  /// Encodes B frames of one agent type. Throws c10::Error on shape mismatch.
  virtual EncoderOutput forward(const SensorInput& input) = 0;
  /// Auxiliary training losses of `out` = forward(input), already weighted (e.g.
  /// the LSS depth focal loss against input.depth). The default has none; the
  /// trainer adds every term to the detection loss.
  virtual LossTerms loss(const EncoderOutput& out, const SensorInput& input);
};

}  // namespace concord
