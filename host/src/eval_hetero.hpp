#pragma once
/// \file
/// `concord eval` for NegoCollab experiments (those with [sender]/[receiver]).

#include <filesystem>
#include <string>
#include <vector>

#include "concord/manifest.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/registry.hpp"

namespace concord::host {

/// Evaluates heterogeneous collaboration of spec.agents on `split` (default: the
/// test split): for each member as the ego (collaborators' types from the seeded
/// assignment) and each mode in `modes` (comma-separated: no_fusion, late_fusion,
/// naive, negocollab) and each pose-noise sigma of `noises` (a sweep: Gaussian
/// noise on every agent's x, y in m and yaw in degrees, GT with clean poses),
/// AP@0.3/0.5/0.7; prints a table, writes `csv_path` and up to `render` pictures
/// per ego and mode (at the first sigma). NegoCollab mode needs dir/alliance; when the
/// artifact records an alignment loss (an align-to-common baseline such as STAMP) that
/// mode's rows are labelled with its name ("stamp"), which --modes also accepts.
/// Throws ConfigError on an unknown mode and concord::Error when the alliance or
/// a Step-0 run is missing.
void eval_hetero(const pipeline::ExperimentSpec& spec, const Registry& registry,
                 const std::vector<PluginManifest>& manifests, const std::filesystem::path& dir,
                 const std::string& modes, const std::string& split, int64_t max_samples,
                 const std::vector<double>& noises, const std::filesystem::path& csv_path,
                 int64_t render);

/// Parses --pose-noise: one sigma or a comma-separated sweep ("0,0.2,0.4,0.6"),
/// each >= 0 (m for x, y and degrees for yaw). Throws ConfigError naming
/// --pose-noise and the bad value.
std::vector<double> parse_pose_noise(const std::string& list);

}  // namespace concord::host
