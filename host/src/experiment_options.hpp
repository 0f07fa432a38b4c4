#pragma once
/// \file
/// Options of the commands that run an experiment file (train, eval, negotiate,
/// adapt, join) beyond the common ones.

#include <boost/program_options.hpp>
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

}  // namespace concord::host
