#include "experiment_options.hpp"

#include <filesystem>

#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/local_cache.hpp"
#include "concord/pipeline/local_store.hpp"

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

void add_schedule_options(boost::program_options::options_description& desc, ScheduleOptions& out) {
  namespace po = boost::program_options;
  desc.add_options()("epochs", po::value<int>()->notifier([&out](int v) { out.epochs = v; }),
                     "epochs instead of the experiment file's (a quick run)")(
      "max-samples", po::value<int64_t>()->notifier([&out](int64_t v) { out.max_samples = v; }),
      "samples per epoch (and validation samples) instead of the file's; 0 = all")(
      "val-samples", po::value<int64_t>()->notifier([&out](int64_t v) { out.val_samples = v; }),
      "validation samples per epoch instead of the file's (default: as max_samples); 0 = all");
}

void add_cache_option(boost::program_options::options_description& desc, int64_t& mib) {
  namespace po = boost::program_options;
  desc.add_options()(
      "cache-mib",
      po::value(&mib)->default_value(static_cast<int64_t>(pipeline::local_cache_budget() >> 20)),
      "memory (MiB) for the frozen local representations, messages and prompts reused "
      "across modes, egos, noise levels and epochs; 0 = recompute every time");
}

void apply_cache_option(int64_t mib) {
  if (mib < 0)
    throw ConfigError("--cache-mib " + std::to_string(mib) + ": expected 0 (off) or more");
  pipeline::set_local_cache_budget(static_cast<std::size_t>(mib) << 20);
}

void add_local_store_option(boost::program_options::options_description& desc, std::string& value) {
  desc.add_options()(
      "local-store", boost::program_options::value(&value),
      "folder keeping the frozen Step-0 encoders' local representations for later stages "
      "(default: locals/ beside the run directory, e.g. runs/locals); off = encode anew");
}

void apply_local_store_option(const std::string& value, const std::filesystem::path& run_dir) {
  if (value == "off")
    pipeline::set_local_store_root({});
  else if (value.empty())
    pipeline::set_local_store_root(run_dir.parent_path() / "locals");
  else
    pipeline::set_local_store_root(value);
}

void ScheduleOptions::apply(pipeline::TrainSpec& schedule, const std::string& what) const {
  schedule.override_with(epochs, max_samples, val_samples, what);
  if (epochs || max_samples || val_samples)
    logger()->info("{} schedule from the command line: {} epochs, max_samples {}, val_samples {}",
                   what, schedule.epochs, schedule.max_samples, schedule.validation_samples());
}

}  // namespace concord::host
