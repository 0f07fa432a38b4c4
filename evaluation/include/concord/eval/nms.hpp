#pragma once
/// \file
/// Box selection steps of HEAL's detection post-processing: score filter, rotated BEV
/// non-maximum suppression, range filter.
/// Source: reference/field-conventions.md §2.5 (steps 1, 6, 7); mirrors HEAL
/// `data_utils/post_processor/voxel_postprocessor.py:post_process` and
/// `utils/box_utils.py:nms_rotated`, `mask_boxes_outside_range_numpy`. HEAL's order is
/// score filter -> (size / z sanity filters) -> NMS -> range filter.

#include <cstdint>
#include <limits>
#include <vector>

#include <ATen/core/Tensor.h>

#include "concord/eval/box_geometry.hpp"

namespace concord::eval {

/// HEAL's `nms_thresh`: IoU above which a lower-scoring box is suppressed.
inline constexpr double kDefaultNmsIouThreshold = 0.15;
/// OpenCOOD's `top = 1000`: only the highest-scoring boxes enter NMS.
inline constexpr int64_t kDefaultNmsMaxCandidates = 1000;
/// HEAL's `score_threshold`: boxes need sigmoid score > 0.2.
inline constexpr double kDefaultScoreThreshold = 0.2;

/// Greedy rotated BEV NMS. `boxes` and `scores` (one per box, any real values) are
/// parallel. Boxes are ranked by descending score (ties: lower index first; numpy's
/// argsort leaves tie order unspecified), only the first `max_candidates` are considered,
/// then the best remaining box is kept and every remaining box with
/// bev_iou > `iou_threshold` (strict, compared in float32 as OpenCOOD) is dropped.
/// Returns the kept indices into `boxes`, by descending score. Mirrors OpenCOOD
/// `box_utils.nms_rotated`. Throws std::invalid_argument when the sizes differ,
/// `max_candidates` < 0, or a score is NaN.
std::vector<int64_t> nms_rotated(const std::vector<Box7>& boxes, const std::vector<double>& scores,
                                 double iou_threshold = kDefaultNmsIouThreshold,
                                 int64_t max_candidates = kDefaultNmsMaxCandidates);

/// Tensor form: `boxes` [K, 7] and `scores` [K], floating point (float32 expected), any
/// device. Returns [P] int64 CPU indices by descending score. Throws
/// std::invalid_argument for malformed tensors or as the vector form.
at::Tensor nms_rotated(const at::Tensor& boxes, const at::Tensor& scores,
                       double iou_threshold = kDefaultNmsIouThreshold,
                       int64_t max_candidates = kDefaultNmsMaxCandidates);

/// Indices (ascending) of the scores strictly greater than `threshold`, as HEAL's
/// `torch.gt(prob, score_threshold)`. NaN scores are dropped.
std::vector<int64_t> score_filter(const std::vector<double>& scores,
                                  double threshold = kDefaultScoreThreshold);

/// Tensor form: `scores` [K] floating point, any device. Returns [P] int64 CPU
/// indices (ascending). Throws std::invalid_argument for a malformed tensor.
at::Tensor score_filter(const at::Tensor& scores, double threshold = kDefaultScoreThreshold);

/// Axis-aligned evaluation range in the ego frame (m), bounds inclusive. The z bounds
/// default to unbounded (BEV-only); HEAL passes its 6-value `gt_range`, whose z bounds
/// come from the LiDAR range (e.g. [-3, 1]).
struct BoxRange {
  double x_min = 0.0;
  double y_min = 0.0;
  double x_max = 0.0;
  double y_max = 0.0;
  double z_min = -std::numeric_limits<double>::infinity();
  double z_max = std::numeric_limits<double>::infinity();
};

/// Which part of a box must lie inside the range.
enum class RangeMode {
  /// All 8 corners inside (inclusive): OpenCOOD/HEAL `mask_boxes_outside_range_numpy`
  /// with its default min_num_corners = 8, used for predictions (§2.5 step 7).
  kAllCorners,
  /// Only the centre (x, y, z) inside (inclusive). Not what OpenCOOD does; provided for
  /// comparison with centre-based tools.
  kCenter,
};

/// Indices (ascending) of the boxes inside `range` under `mode`. Throws
/// std::invalid_argument when a minimum exceeds its maximum or a bound is NaN.
std::vector<int64_t> range_filter(const std::vector<Box7>& boxes, const BoxRange& range,
                                  RangeMode mode = RangeMode::kAllCorners);

/// Tensor form: `boxes` [K, 7] floating point, any device. Returns [P] int64 CPU
/// indices (ascending). Throws std::invalid_argument for a malformed tensor or range.
at::Tensor range_filter(const at::Tensor& boxes, const BoxRange& range,
                        RangeMode mode = RangeMode::kAllCorners);

}  // namespace concord::eval
