#pragma once
/// \file
/// Anchor target assignment of the anchor head (reference/field-conventions.md §2.3;
/// OpenCOOD `VoxelPostprocessor.generate_label`, HEAL `PointPillarLoss.get_direction_target`).

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::plugins::anchor_head {

/// Thresholds of the assignment.
struct AssignerOptions {
  double pos_iou = 0.6;   ///< positive when the standup IoU with some GT is > pos_iou
  double neg_iou = 0.45;  ///< negative when the standup IoU with every GT is < neg_iou
  /// m added to each standup extent in the IoU, as OpenCOOD's Fast R-CNN
  /// `bbox_overlaps` (`x2 - x1 + 1`); 0 gives the geometric IoU.
  double iou_extent_offset = 1.0;
  double dir_offset = 0.7853;  ///< rad, HEAL `dir_args.dir_offset`
  int64_t num_dir_bins = 2;    ///< direction bins over 2 pi
};

/// Per-anchor training targets of one sample, N anchors.
struct AnchorTargets {
  at::Tensor positive;    ///< [N] bool
  at::Tensor negative;    ///< [N] bool (never true where positive)
  at::Tensor matched_gt;  ///< [N] int64, index of the assigned GT box; -1 where not positive
  at::Tensor reg;         ///< [N, 7] float32 encode_boxes residuals; 0 where not positive
  at::Tensor dir;         ///< [N] int64 direction bin of the assigned GT yaw; 0 where not positive
};

/// Axis-aligned BEV bounds [N, 4] (x1, y1, x2, y2; m) of boxes [N, 7]
/// [x, y, z, h, w, l, yaw] (l along the heading): the min/max of the rotated
/// footprint's corners (OpenCOOD `corner2d_to_standup_box`). Throws c10::Error
/// when boxes is not [N, 7].
at::Tensor standup_bev(const at::Tensor& boxes);

/// IoU matrix [N, M] float32 of standup boxes a [N, 4] and b [M, 4] (x1, y1, x2, y2),
/// each extent counted as (x2 - x1 + extent_offset) as OpenCOOD's `bbox_overlaps`;
/// 0 where the (offset) boxes do not overlap. Throws c10::Error on other shapes.
at::Tensor standup_iou(const at::Tensor& a, const at::Tensor& b, double extent_offset);

/// Direction bin [N] int64 of yaws [N] (rad): floor(limit_period(yaw - dir_offset,
/// 0, 2 pi) / (2 pi / num_bins)), clamped to [0, num_bins - 1]
/// (HEAL `PointPillarLoss.get_direction_target`).
at::Tensor direction_bins(const at::Tensor& yaw, double dir_offset, int64_t num_bins);

/// Targets of anchors [N, 7] against GT boxes [M, 7] (both float32, ego frame,
/// same device; M may be 0), as OpenCOOD `generate_label`:
/// - positive: standup IoU > pos_iou with some GT (matched to its highest-IoU GT;
///   OpenCOOD takes the lowest GT index among those above the threshold), or the
///   highest-IoU anchor of a GT when that IoU is > 0 (matched to that GT);
/// - negative: IoU < neg_iou with every GT (all anchors when M = 0), minus the positives;
/// - everything else is ignored.
/// Throws c10::Error on bad shapes or when neg_iou > pos_iou.
AnchorTargets assign_targets(const at::Tensor& anchors, const at::Tensor& gt_boxes,
                             const AssignerOptions& options);

}  // namespace concord::plugins::anchor_head
