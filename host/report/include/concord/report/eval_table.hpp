#pragma once
/// \file
/// Evaluation results of a run directory: every `eval.csv` below it, one row
/// per (ego, collaborators, mode, pose noise), as `concord eval` writes them.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace concord::report {

/// One line of an eval.csv, tagged with its experiment.
struct EvalRow {
  std::string experiment;     ///< the eval.csv's folder relative to the run dir, e.g. "step0_m1"
  std::string ego;            ///< agent type whose detections are scored, e.g. "m1"
  std::string collaborators;  ///< agent types of the collaboration, e.g. "m1+m2"
  std::string mode;           ///< no_fusion, late_fusion, naive, negocollab, stamp, ... (free text)
  double pose_noise = 0.0;    ///< sigma of the pose noise (m and degrees)
  int64_t frames = 0;         ///< frames evaluated
  int64_t gt = 0;             ///< ground-truth boxes
  double ap30 = 0.0;          ///< AP at IoU 0.3
  double ap50 = 0.0;          ///< AP at IoU 0.5
  double ap70 = 0.0;          ///< AP at IoU 0.7
  int line = 0;               ///< 1-based line in the eval.csv
};

/// An eval.csv found below a run directory.
struct EvalFile {
  std::string experiment;      ///< parent folder relative to the run dir ("." for the dir itself)
  std::filesystem::path path;  ///< the file
};

/// The header `concord eval` writes for heterogeneous experiments.
inline constexpr const char* kEvalHeader =
    "ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50,ap70";

/// Reads one eval.csv. Columns are found by name: ego, collaborators, mode,
/// pose_noise, frames, gt, ap30, ap50, ap70 (the Step-0 layout of older runs,
/// `agent` instead of ego and collaborators, is read as ego = collaborators =
/// agent). Throws concord::formats::FormatError naming the file and the line
/// (and column) on a missing column, a wrong field count or a non-numeric value.
std::vector<EvalRow> read_eval_csv(const std::filesystem::path& path,
                                   const std::string& experiment);

/// Every file named eval.csv in `run_dir` or below it, at most `max_depth`
/// folders deep (eval.csv in run_dir/a/b/c/ has depth 3), sorted by experiment.
/// Throws
/// concord::formats::FormatError when `run_dir` is not a directory.
std::vector<EvalFile> find_eval_files(const std::filesystem::path& run_dir, int max_depth = 3);

/// read_eval_csv of every find_eval_files(run_dir) result, concatenated in
/// experiment order. Throws concord::formats::FormatError.
std::vector<EvalRow> read_eval_results(const std::filesystem::path& run_dir);

/// True for a Step-0 (homogeneous) experiment or one of its sub-runs: a component
/// of its name starts with "step0_" ("step0_m1", "step0_m1/bf16").
bool is_step0(const std::string& experiment);

}  // namespace concord::report
