#pragma once
/// \file
/// The homogeneous collaborative detector of an agent type (NegoCollab's
/// "Step 0", HEAL's pipeline): encoder → warp into the ego frame → fusion →
/// detection head. The plugins' modules are registered as submodules, so the
/// detector's parameters/state are theirs.

#include <torch/nn/module.h>

#include <memory>

#include "concord/geometry/bev_grid.hpp"
#include "concord/loader/collab_sample.hpp"
#include "concord/modules/detection_head.hpp"
#include "concord/modules/encoder.hpp"
#include "concord/modules/fusion.hpp"
#include "concord/precision.hpp"

namespace concord::pipeline {

/// How agents collaborate in forward().
enum class FusionMode {
  kNone,          ///< ego only (no fusion)
  kIntermediate,  ///< every in-range agent's local feature, warped and fused
};

/// Encoder + warp + fusion + head for samples whose agents share one agent type.
class CollabDetector : public torch::nn::Module {
 public:
  /// feature_grid: the grid of the encoder's output (ego-centred, e.g. ±38.4 m at 0.8 m).
  CollabDetector(std::shared_ptr<Encoder> encoder, std::shared_ptr<Fusion> fusion,
                 std::shared_ptr<DetectionHead> head, BevGrid feature_grid);

  /// What forward() produced.
  struct Output {
    HeadOutput head;      ///< [1, A, H, W] etc. on the ego grid
    FusionOutput fusion;  ///< fused [1, C, H, W] and occupancy maps
    at::Tensor features;  ///< [N, C, H, W] local features warped into the ego frame
    /// Each agent's encoder output in its own frame (depth logits of camera agents).
    std::vector<EncoderOutput> local;
  };

  /// Runs one sample (B = 1). Agents' features are warped with their noisy
  /// poses (ego_from_agent_noisy). Throws c10::Error when the encoder's output
  /// does not match the feature grid.
  Output forward(const loader::CollabSample& sample, FusionMode mode);

  /// Training loss of `out` = forward(sample, ...): the head's terms against
  /// sample.gt_boxes plus every agent encoder's auxiliary terms (summed over the
  /// agents, e.g. "depth") plus the fusion's auxiliary terms (e.g. "occupancy": each
  /// agent's pyramid occupancy logits against head().occupancy_labels of its own
  /// own_gt_boxes; skipped when an agent has none, as on DAIR-V2X); "total" = head total +
  /// auxiliary terms. Scalars, float32. Throws c10::Error when the head has no anchor
  /// targets but the fusion needs occupancy labels.
  LossTerms loss(const Output& out, const loader::CollabSample& sample);

  /// Runs one agent alone, in its own frame (for late fusion).
  HeadOutput forward_single(const loader::AgentData& agent);

  /// Precision of forward passes (default fp32). kBf16 runs encoder, warp, fusion
  /// and head under CPU autocast; every tensor forward() returns is cast back to
  /// float32, so losses and decoding always see float32.
  void set_precision(Precision p) { precision_ = p; }
  Precision precision() const { return precision_; }

  /// One agent's local feature [1, C, H, W] float32 in its own frame (encoder output
  /// under the detector's precision). Throws c10::Error when it does not match the grid.
  at::Tensor encode(const loader::AgentData& agent);

  /// encode() without the cast: [1, C, H, W] in the dtype the encoder ends in under
  /// the detector's precision (bfloat16 under bf16 autocast for most encoders).
  at::Tensor encode_native(const loader::AgentData& agent);

  /// forward_single() from an agent's local feature `bev` [1, C, H, W] (any float
  /// dtype, e.g. encode_native's output): fusion of one agent, then the head.
  HeadOutput forward_single_bev(const at::Tensor& bev);

  Encoder& encoder() { return *encoder_; }
  Fusion& fusion() { return *fusion_; }
  DetectionHead& head() { return *head_; }
  const BevGrid& grid() const { return grid_; }

 private:
  std::shared_ptr<Encoder> encoder_;
  std::shared_ptr<Fusion> fusion_;
  std::shared_ptr<DetectionHead> head_;
  BevGrid grid_;
  Precision precision_ = Precision::kFp32;

  Output forward_impl(const loader::CollabSample& sample, FusionMode mode);
};

}  // namespace concord::pipeline
