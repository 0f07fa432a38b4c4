#pragma once
/// \file
/// Cost of a collaboration method per member (issue 6, the paper's Table 2
/// columns): what a new agent trains, what one message puts on the wire, and the
/// wall time the run's training took. `concord costs` writes these rows into
/// costs.csv, which `concord report` tabulates.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "concord/manifest.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/wire.hpp"
#include "concord/registry.hpp"

namespace concord::pipeline {

/// One row of costs.csv (report::CostRow's columns).
struct MethodCost {
  std::string method;                ///< "<experiment>:<agent>", e.g. "negocollab_m1m2:m2"
  int64_t trainable_parameters = 0;  ///< the member's sender + receiver parameters
  int64_t wire_bytes_fp32 = 0;       ///< one message [C, H, W] of the common representation, fp32
  int64_t wire_bytes_wire = 0;       ///< the same message at the chosen wire precision
  double train_seconds = 0.0;        ///< the run's training wall time (see training_seconds)
};

/// Sum of the `seconds` column of the metrics.csv files in `run_dir` (stage 1),
/// `run_dir`/adapt (stage 2), `run_dir`/join and `run_dir`/join_adapt (a join's
/// alignment and adaptation); a missing file counts 0. Throws
/// concord::Error naming the file and line on a malformed table.
double training_seconds(const std::filesystem::path& run_dir);

/// The costs of every agent the experiment trains adapters for (its [experiment]
/// agents: the founders of a negotiation, the newcomer of a join), from the
/// alliance artifact at `alliance_dir` and the run at `run_dir`. Message size from
/// the artifact's common spec. Throws concord::Error / ConfigError naming the
/// file when the artifact or a Step-0 run is missing.
std::vector<MethodCost> measure_costs(const ExperimentSpec& spec, const Registry& registry,
                                      const std::vector<PluginManifest>& manifests,
                                      const std::filesystem::path& alliance_dir,
                                      const std::filesystem::path& run_dir, WireFormat wire);

}  // namespace concord::pipeline
