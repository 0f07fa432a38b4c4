#include "experiment_options.hpp"

#include <filesystem>

#include "concord/error.hpp"

namespace concord::host {

void add_data_root_option(boost::program_options::options_description& desc,
                          std::string& data_root) {
  desc.add_options()("data-root", boost::program_options::value(&data_root),
                     "dataset folder instead of the experiment's [data] root");
}

pipeline::ExperimentSpec load_experiment_with_root(const std::string& config,
                                                   const std::vector<PluginManifest>& manifests,
                                                   const std::string& data_root) {
  pipeline::ExperimentSpec spec = pipeline::load_experiment(config, manifests);
  if (!data_root.empty()) {
    if (!std::filesystem::is_directory(data_root))
      throw ConfigError("--data-root: \"" + data_root + "\" is not a directory");
    spec.data.root = data_root;
  }
  return spec;
}

}  // namespace concord::host
