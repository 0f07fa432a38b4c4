#pragma once
/// \file
/// `concord eval` for NegoCollab experiments (those with [sender]/[receiver]).

#include <filesystem>
#include <string>
#include <vector>

#include "concord/manifest.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/wire.hpp"
#include "concord/precision.hpp"
#include "concord/registry.hpp"

namespace concord::host {

/// What `concord eval` asks of a NegoCollab experiment.
struct HeteroEvalRequest {
  /// Comma-separated: no_fusion, late_fusion, naive, negocollab (or the baseline's name).
  std::string modes = "no_fusion,late_fusion,naive,negocollab";
  std::string split;                ///< "" = the experiment's test split
  int64_t max_samples = 0;          ///< 0 = every sample
  std::vector<double> noises{0.0};  ///< pose-noise sigmas (m and deg), a sweep
  std::filesystem::path csv_path;   ///< results table
  int64_t render = 4;               ///< pictures per ego and mode (first sigma)
  pipeline::WireFormat wire = pipeline::WireFormat::kFp32;  ///< message precision
  /// Every agent gets the ego's type (the paper's Table 3: homogeneous
  /// collaboration through the common representation; "naive" is then the type's
  /// own intermediate fusion of local features).
  bool homogeneous = false;
  /// Forward precision of encoders, senders, receivers, fusion and heads: kBf16
  /// runs them under CPU autocast with channels_last weights; boxes decode in fp32.
  Precision precision = Precision::kFp32;
};

/// Evaluates heterogeneous collaboration of spec.agents on the request's split:
/// for each member as the ego (collaborators' types from the seeded assignment),
/// each mode and each pose-noise sigma (Gaussian noise on every agent's x, y in m
/// and yaw in degrees, GT with clean poses), AP@0.3/0.5/0.7; messages travel at
/// `wire` precision. Prints a table, writes `csv_path` and up to `render` pictures
/// per ego and mode. NegoCollab mode needs dir/alliance; when the artifact records
/// an alignment loss (an align-to-common baseline such as STAMP) that mode's rows
/// are labelled with its name ("stamp"), which `modes` also accepts. Throws
/// ConfigError on an unknown mode and concord::Error when the alliance or a Step-0
/// run is missing.
void eval_hetero(const pipeline::ExperimentSpec& spec, const Registry& registry,
                 const std::vector<PluginManifest>& manifests, const std::filesystem::path& dir,
                 const HeteroEvalRequest& request);

/// Parses --pose-noise: one sigma or a comma-separated sweep ("0,0.2,0.4,0.6"),
/// each >= 0 (m for x, y and degrees for yaw). Throws ConfigError naming
/// --pose-noise and the bad value.
std::vector<double> parse_pose_noise(const std::string& list);

}  // namespace concord::host
