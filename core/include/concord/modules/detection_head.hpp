#pragma once
/// \file
/// Detection head: fused BEV feature → per-anchor classification, box
/// regression and direction; owns its anchors, target assignment, losses and
/// box decoding (reference/field-conventions.md §2.2-2.5).
///
/// Box convention everywhere in Concord's detection stack: 7 values
/// [x, y, z, h, w, l, yaw] (hwl order as OpenCOOD's object_bbx_center), ego
/// LiDAR frame, metres and radians; (x, y, z) is the box centre.

#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

#include "concord/export.hpp"
#include "concord/modules/loss_terms.hpp"

namespace concord {

/// Raw head outputs, A anchors per BEV cell.
struct HeadOutput {
  /// [B, A, H, W] float32 classification logits.
  at::Tensor cls;
  /// [B, 7A, H, W] float32 box residuals per anchor, OpenCOOD encoding.
  at::Tensor reg;
  /// [B, 2A, H, W] float32 direction logits; undefined when the head has no direction branch.
  at::Tensor dir;
};

/// Detections of one sample after decoding (before NMS).
struct Detections {
  at::Tensor boxes;   ///< [K, 7] float32 [x, y, z, h, w, l, yaw], ego frame, m / rad
  at::Tensor scores;  ///< [K] float32 in [0, 1]
};

/// Abstract detection head.
class CONCORD_CORE_API DetectionHead : public torch::nn::Module {
 public:
  static constexpr const char* kKind = "head";
  ~DetectionHead() override;
  /// bev: [B, C, H, W] float32, ego frame. Returns raw per-anchor outputs on the same grid.
  virtual HeadOutput forward(const at::Tensor& bev) = 0;
  /// Detection loss of `out` against ground truth: gt_boxes holds B tensors
  /// [M_b, 7] float32 (ego frame, may be empty). Returns the terms and "total".
  virtual LossTerms loss(const HeadOutput& out, const std::vector<at::Tensor>& gt_boxes) = 0;
  /// Decodes B samples' outputs into boxes with score > score_threshold (no NMS).
  virtual std::vector<Detections> decode(const HeadOutput& out, double score_threshold) = 0;
  /// BEV occupancy labels from the head's own target assignment, for auxiliary
  /// occupancy losses (NegoCollab pragmatic loss eq. 23-24; reference
  /// negocollab-official-code.md §2.3; HEAL pyramid occupancy): [B, 1, H, W]
  /// float32 on the head's grid, 1 where any anchor of the cell is positive, 0
  /// where all its anchors are negative, -1 (ignore) otherwise. gt_boxes as in
  /// loss(). The default throws c10::Error: the head has no anchor targets.
  virtual at::Tensor occupancy_labels(const std::vector<at::Tensor>& gt_boxes);
};

}  // namespace concord
