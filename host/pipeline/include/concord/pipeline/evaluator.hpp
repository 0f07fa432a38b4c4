#pragma once
/// \file
/// Detection evaluation as the field does it (reference/field-conventions.md
/// §2.5, §3): decode, score > threshold, rotated NMS, range filter, then
/// AP@0.3/0.5/0.7 against the union GT in the ego frame with clean poses.

#include <functional>
#include <string>

#include "concord/eval/ap.hpp"
#include "concord/loader/sample_source.hpp"
#include "concord/pipeline/collab_detector.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/hetero.hpp"
#include "concord/pipeline/hetero_loader.hpp"

namespace concord::pipeline {

/// Collaboration modes of evaluation.
enum class EvalMode {
  kNoFusion,      ///< ego only
  kLateFusion,    ///< every agent detects alone; boxes moved to the ego frame, then NMS
  kIntermediate,  ///< features fused (the model's own collaboration)
};

/// "no_fusion", "late_fusion", "intermediate".
std::string to_string(EvalMode mode);

/// Called once per evaluated sample with its index, the sample and the final
/// detections (after NMS and the range filter): boxes [K, 7] float32 (ego frame,
/// m/rad) and scores [K] float32. Used for pictures; may throw to stop.
using FrameCallback = std::function<void(std::size_t index, const loader::CollabSample& sample,
                                         const at::Tensor& boxes, const at::Tensor& scores)>;

/// Evaluates `model` over every sample of `loader` (any dataset format); predictions
/// are range-filtered with loader.gt_range(). `max_samples` > 0 limits the count.
/// Shows a progress bar. Throws formats::FormatError (data) and c10::Error (shapes).
eval::ApResults evaluate(CollabDetector& model, const loader::SampleSource& loader, EvalMode mode,
                         const EvalSpec& spec, int64_t max_samples = 0,
                         const FrameCallback& on_frame = {});

/// Scores of one validation pass (see validate()).
struct ValidationScores {
  double loss = 0.0;   ///< mean of the detector's "total" loss over the samples
  double ap50 = -1.0;  ///< AP@0.5 of intermediate fusion; -1 when not asked for
};

/// The validation pass of a training epoch: one intermediate-fusion forward per
/// sample of `loader`, in the model's current precision, gives both the loss (as
/// in training, against the sample's labels) and, when `with_ap`, detections
/// scored exactly as evaluate(EvalMode::kIntermediate) scores them. One forward
/// instead of two per sample when the best checkpoint is chosen on AP. Leaves the
/// model in training mode. Throws as evaluate().
ValidationScores validate(CollabDetector& model, const loader::SampleSource& loader,
                          const EvalSpec& spec, bool with_ap);

/// Heterogeneous evaluation (NegoCollab Table 1): the ego (agent 0, of the type the
/// loader assigns) detects in `mode`; the same post-processing and AP as evaluate().
/// `on_frame` gets the ego's sample (metadata, GT) whose agent k is the data of
/// agent k's own type (HeteroSample::agent(k): a LiDAR agent's points, a camera
/// agent's images), so pictures show what each agent sensed.
eval::ApResults evaluate_hetero(HeteroCollab& collab, const HeteroLoader& loader, HeteroMode mode,
                                const EvalSpec& spec, const formats::Range6& gt_range,
                                int64_t max_samples = 0, const FrameCallback& on_frame = {});

}  // namespace concord::pipeline
