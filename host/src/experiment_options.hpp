#pragma once
/// \file
/// Options of the commands that run an experiment file (train, eval, negotiate,
/// adapt, join) beyond the common ones.

#include <boost/program_options.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "concord/manifest.hpp"
#include "concord/pipeline/experiment.hpp"

namespace concord::host {

/// Adds --data-root DIR to `desc`, stored in `data_root`: the dataset folder used
/// instead of the experiment's [data] root (e.g. the DAIR-V2X-C example elsewhere).
void add_data_root_option(boost::program_options::options_description& desc,
                          std::string& data_root);

/// pipeline::load_experiment(config, manifests) with [data] root replaced by
/// `data_root` when it is not empty. Throws as load_experiment, and ConfigError
/// naming --data-root when that folder does not exist.
pipeline::ExperimentSpec load_experiment_with_root(const std::string& config,
                                                   const std::vector<PluginManifest>& manifests,
                                                   const std::string& data_root);

/// --epochs / --max-samples of the training commands (negotiate, adapt, join): a
/// schedule shorter than the experiment file's without a second file, e.g. the
/// default profile's quick ablation and baseline runs. Unset = the file's value.
struct ScheduleOptions {
  std::optional<int> epochs;           ///< replaces the schedule's epochs (≥ 1)
  std::optional<int64_t> max_samples;  ///< replaces max_samples (0 = all samples)
  std::optional<int64_t> val_samples;  ///< replaces val_samples (0 = all samples)

  /// Applies the set fields to `schedule` (TrainSpec::override_with; `what` names
  /// it, e.g. "[negotiate]") and logs them. Throws ConfigError on epochs < 1 or
  /// max_samples < 0.
  void apply(pipeline::TrainSpec& schedule, const std::string& what) const;
};

/// Adds --cache-mib N to `desc`: the memory each in-process cache of frozen local
/// representations may keep (pipeline::local_cache_budget; 0 = off), stored in `mib`.
void add_cache_option(boost::program_options::options_description& desc, int64_t& mib);

/// Sets pipeline::local_cache_budget from --cache-mib. Throws ConfigError naming
/// --cache-mib when `mib` < 0.
void apply_cache_option(int64_t mib);

/// Adds --local-store DIR|off to `desc`, stored in `value`: where the frozen local
/// representations are kept on disk for every later stage (pipeline/local_store.hpp).
void add_local_store_option(boost::program_options::options_description& desc, std::string& value);

/// Sets pipeline::local_store_root from --local-store: "off" = no store, empty
/// (the default) = `<run_dir>/../locals`, i.e. runs/locals beside runs/<name>,
/// else the folder given.
void apply_local_store_option(const std::string& value, const std::filesystem::path& run_dir);

/// Adds --epochs N, --max-samples N and --val-samples N to `desc`, stored in `out`.
void add_schedule_options(boost::program_options::options_description& desc, ScheduleOptions& out);

}  // namespace concord::host
