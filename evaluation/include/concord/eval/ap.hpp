#pragma once
/// \file
/// Average precision of 3-D detections as OpenCOOD/HEAL compute it: rotated BEV IoU,
/// per-frame greedy matching in score order, global sort of all detections by score,
/// VOC-2010 all-point interpolation, at IoU 0.3 / 0.5 / 0.7.
/// Source: reference/field-conventions.md §3; mirrors HEAL `utils/eval_utils.py`
/// (`caluclate_tp_fp`, `calculate_ap`, `voc_ap`, `eval_final_results`).

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "concord/eval/box_geometry.hpp"

namespace concord::eval {

/// VOC-2010 all-point interpolated AP of one precision/recall curve (parallel vectors,
/// one entry per ranked detection, recall non-decreasing). Adds the sentinels
/// recall 0 / 1 and precision 0 / 0, makes precision monotone (non-increasing) from the
/// right, and sums (r[i] - r[i-1]) * p[i] over every i where the recall changes.
/// Empty curves give 0. Mirrors `eval_utils.voc_ap`. Throws std::invalid_argument when
/// the sizes differ.
double voc_ap(const std::vector<double>& recall, const std::vector<double>& precision);

/// Result at one IoU threshold.
struct ApThresholdResult {
  double iou_threshold = 0.0;
  double ap = 0.0;     ///< in [0, 1]
  int64_t num_tp = 0;  ///< true positives over all frames
  int64_t num_fp = 0;  ///< false positives over all frames
  /// Cumulative recall and precision after each detection in global score order
  /// (no sentinels); HEAL dumps the interpolated versions as mrec/mpre.
  std::vector<double> recall;
  std::vector<double> precision;
};

/// Results over all frames added to an ApEvaluator.
struct ApResults {
  std::vector<ApThresholdResult> thresholds;  ///< in the evaluator's threshold order
  int64_t num_frames = 0;
  int64_t num_gt = 0;          ///< ground-truth boxes over all frames
  int64_t num_detections = 0;  ///< detections over all frames

  /// AP at `iou_threshold` (matched within 1e-9). Throws std::out_of_range when the
  /// threshold was not evaluated.
  double ap_at(double iou_threshold) const;

  /// Fixed-width text table: one row per threshold (IoU, AP in %, TP, FP) and a line
  /// with the frame, GT and detection counts.
  std::string to_table() const;
  /// CSV with header `iou_threshold,ap,num_tp,num_fp,num_gt,num_detections,num_frames`
  /// and one row per threshold; AP as a fraction in [0, 1].
  std::string to_csv() const;
  /// JSON object {"num_frames", "num_gt", "num_detections", "results": [{"iou_threshold",
  /// "ap", "num_tp", "num_fp"[, "recall", "precision"]}]}; curves only when
  /// `include_curves`. `indent` < 0 gives one line.
  std::string to_json(bool include_curves = false, int indent = 2) const;
  /// Writes to_table, to_csv or to_json (no curves) to `path`, chosen by its extension
  /// (.txt, .csv, .json). Throws std::invalid_argument for another extension and
  /// std::runtime_error when the file cannot be written.
  void save(const std::string& path) const;
};

/// Accumulates per-frame matches and computes AP at several IoU thresholds.
///
/// Per frame and threshold (OpenCOOD `caluclate_tp_fp`): detections are taken by
/// descending score (ties: lower index first); each is a true positive when its best
/// IoU against the still-unmatched GT boxes is >= the threshold (OpenCOOD marks FP when
/// `max(ious) < iou_thresh`; IoU and threshold are compared in float32 like OpenCOOD's
/// float32 IoUs), and that GT box (the first with the best IoU) is then removed;
/// otherwise it is a false positive. At compute() all detections of all frames are
/// sorted by descending score (stable; HEAL `calculate_ap`'s global sort), TP/FP are
/// accumulated, recall = TP / num_gt, precision = TP / (TP + FP), and voc_ap gives AP.
/// With num_gt = 0 recall is taken as 0, so AP = 0 (OpenCOOD divides by zero).
/// No boxes are filtered here: apply the score / NMS / range steps (§2.5) and the GT
/// range before add_frame. Not thread-safe.
class ApEvaluator {
 public:
  /// `iou_thresholds`: each in (0, 1], default {0.3, 0.5, 0.7}. Throws
  /// std::invalid_argument for an empty list or a threshold outside (0, 1].
  explicit ApEvaluator(std::vector<double> iou_thresholds = {0.3, 0.5, 0.7});

  /// Adds one frame. `det_boxes` and `gt_boxes` in the same (ego LiDAR) frame,
  /// `det_scores` one per detection. Throws std::invalid_argument when the detection
  /// and score counts differ or a score is not finite.
  void add_frame(const std::vector<Box7>& det_boxes, const std::vector<double>& det_scores,
                 const std::vector<Box7>& gt_boxes);

  /// Tensor form: `det_boxes` [K, 7], `det_scores` [K], `gt_boxes` [G, 7], floating point
  /// (float32 expected), any device. An undefined `det_boxes` (OpenCOOD's None) means no
  /// detections; then `det_scores` is ignored. Throws std::invalid_argument for malformed
  /// tensors or as the vector form.
  void add_frame(const at::Tensor& det_boxes, const at::Tensor& det_scores,
                 const at::Tensor& gt_boxes);

  /// AP and counts over all frames added so far; does not change the state.
  ApResults compute() const;

  /// Forgets all frames (keeps the thresholds).
  void reset();

  const std::vector<double>& iou_thresholds() const { return iou_thresholds_; }
  int64_t num_frames() const { return num_frames_; }

 private:
  /// One detection's score and whether it matched, per threshold.
  struct Entry {
    double score;
    bool tp;
  };
  std::vector<double> iou_thresholds_;
  std::vector<std::vector<Entry>> entries_;  ///< [threshold][detection in add order]
  int64_t num_frames_ = 0;
  int64_t num_gt_ = 0;
};

}  // namespace concord::eval
