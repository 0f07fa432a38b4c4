#pragma once
/// \file
/// Step-0 training: Adam + MultiStepLR over the train split, validation loss (and,
/// with `[train] select = "val_ap"`, intermediate-fusion AP@0.5) on the validate
/// split after every epoch, best-checkpoint selection on it (never on test), atomic checkpoints,
/// resume, progress bar with loss and ETA, and a metrics.csv in the run directory.

#include <filesystem>

#include "concord/pipeline/collab_detector.hpp"
#include "concord/pipeline/experiment.hpp"

namespace concord::pipeline {

/// Outcome of train().
struct TrainResult {
  int epochs_done = 0;  ///< epochs finished (including resumed ones)
  int best_epoch = 0;
  double best_val_loss = 0.0;  ///< validation loss of the best epoch
  double best_val_ap = -1.0;   ///< its validation AP@0.5 ([train] select = "val_ap"), else -1
  double seconds = 0.0;        ///< wall time of this call
};

/// Trains `model` as `spec` says into `run_dir` (checkpoints/latest.*, best.*,
/// metrics.csv). With `resume`, continues after the last finished epoch of
/// run_dir/checkpoints/latest; a finished run returns at once. Throws
/// concord::Error (I/O, incompatible checkpoint) and formats::FormatError (data).
TrainResult train(CollabDetector& model, const ExperimentSpec& spec,
                  const std::filesystem::path& run_dir, bool resume);

}  // namespace concord::pipeline
