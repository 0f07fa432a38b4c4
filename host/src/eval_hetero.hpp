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
/// naive, negocollab), AP@0.3/0.5/0.7; prints a table, writes dir/eval.csv and up
/// to `render` pictures per ego and mode. NegoCollab mode needs dir/alliance; when the
/// artifact records an alignment loss (an align-to-common baseline such as STAMP) that
/// mode's rows are labelled with its name ("stamp"), which --modes also accepts.
/// Throws ConfigError on an unknown mode and concord::Error when the alliance or
/// a Step-0 run is missing.
void eval_hetero(const pipeline::ExperimentSpec& spec, const Registry& registry,
                 const std::vector<PluginManifest>& manifests, const std::filesystem::path& dir,
                 const std::string& modes, const std::string& split, int64_t max_samples,
                 double noise, int64_t render);

}  // namespace concord::host
