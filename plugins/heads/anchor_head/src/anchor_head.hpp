#pragma once
/// \file
/// Anchor head of OpenCOOD/HEAL (`cls_head`, `reg_head`, `dir_head`: 1x1 convs)
/// with its anchors, target assignment, losses and box decoding
/// (reference/field-conventions.md §2.2-2.5).

#include <torch/nn/modules/conv.h>

#include "anchors.hpp"
#include "concord/modules/detection_head.hpp"
#include "target_assigner.hpp"

namespace concord::plugins {

/// Loss weights and shapes (reference/field-conventions.md §2.4; HEAL `loss.args`).
struct AnchorLossOptions {
  double pos_cls_weight = 2.0;   ///< focal-loss weight of positive anchors (negatives: 1)
  double cls_weight = 1.0;       ///< weight of the classification term
  double reg_weight = 2.0;       ///< weight of the regression term
  double dir_weight = 0.2;       ///< weight of the direction term
  double focal_alpha = 0.25;     ///< focal loss alpha
  double focal_gamma = 2.0;      ///< focal loss gamma
  double smooth_l1_sigma = 3.0;  ///< smooth-L1 sigma (switch at 1 / sigma^2)
};

/// Options of the anchor head (plugin.toml documents keys, ranges and units).
struct AnchorHeadOptions {
  int64_t in_channels = 64;         ///< C of the input feature
  bool direction = true;            ///< build the direction branch
  double prior_probability = 0.01;  ///< cls bias = -log((1 - p) / p)
  anchor_head::AnchorSpec anchors;  ///< grid and anchor geometry; anchors.anchors_per_cell = A
  anchor_head::AssignerOptions assigner;  ///< IoU thresholds and direction bins
  AnchorLossOptions loss;                 ///< loss weights
  double score_threshold = 0.2;  ///< decode() threshold used when it is given a negative one
};

/// 1x1-conv anchor head: cls [B, A, H, W], reg [B, 7A, H, W], dir [B, 2A, H, W]
/// on the grid of AnchorHeadOptions::anchors (H rows along y, W columns along x).
class AnchorHead : public DetectionHead {
 public:
  /// Throws concord::ConfigError for inconsistent options (empty range, range not
  /// a whole number of cells, neg_iou > pos_iou).
  explicit AnchorHead(const AnchorHeadOptions& options);

  /// bev: [B, C, H, W] float32. Throws c10::Error when C differs from in_channels.
  HeadOutput forward(const at::Tensor& bev) override;

  /// HEAL's PointPillarLoss: {"cls", "reg", "dir", "total"}, scalar float32,
  /// differentiable in `out`. Per sample: targets of the anchors against
  /// gt_boxes[b] ([M_b, 7] [x, y, z, h, w, l, yaw], ego frame, m / rad; an empty
  /// tensor = no object); cls = sum(focal * (pos_cls_weight pos + neg)) / n_pos,
  /// reg = sum(smooth-L1 of sin-difference residuals over positives) / n_pos,
  /// dir = sum(CE of the direction bins over positives) / n_pos (n_pos clamped
  /// to >= 1); each averaged over B and weighted; "dir" is 0 without the branch.
  /// Throws c10::Error when the outputs are not on this head's grid
  /// ([B, A, H, W] etc.) or gt_boxes does not hold B [M, 7] tensors.
  LossTerms loss(const HeadOutput& out, const std::vector<at::Tensor>& gt_boxes) override;

  /// HEAL's VoxelPostprocessor.post_process up to NMS: per sample, anchors with
  /// sigmoid(cls) > score_threshold (a negative threshold selects
  /// options().score_threshold), boxes decoded from their residuals, yaw set by
  /// the direction bin (yaw = limit(yaw - dir_offset, 0, pi) + dir_offset + pi bin,
  /// wrapped to [-pi, pi)). Returns B Detections: boxes [K, 7] float32 ego frame
  /// m / rad, scores [K] float32, detached. Throws c10::Error as loss().
  std::vector<Detections> decode(const HeadOutput& out, double score_threshold) override;

  /// [B, 1, H, W] float32 cell labels from assign_targets(): 1 when any of the
  /// cell's A anchors is positive, 0 when all are negative, -1 otherwise
  /// (NegoCollab's occupancy labels, reference negocollab-official-code.md §2.3).
  at::Tensor occupancy_labels(const std::vector<at::Tensor>& gt_boxes) override;

  /// Anchors [H * W * A, 7] float32 (CPU) in the flattened order of the outputs
  /// permuted to [B, H, W, A]; see anchor_head::make_anchors.
  const at::Tensor& anchors() const { return anchors_; }
  /// The options the head was built with (num_dir_bins forced to 2).
  const AnchorHeadOptions& options() const { return options_; }

 private:
  /// Checks the outputs' shapes; returns B.
  int64_t check_outputs(const HeadOutput& out) const;
  /// anchors_ on `device` (cached).
  const at::Tensor& anchors_on(const at::Device& device);

  AnchorHeadOptions options_;
  int64_t rows_ = 0, cols_ = 0;
  at::Tensor anchors_, anchors_device_;
  torch::nn::Conv2d cls_{nullptr}, reg_{nullptr}, dir_{nullptr};
};

}  // namespace concord::plugins
