#include <spdlog/spdlog.h>

#include <iostream>

#include "command.hpp"
#include "concord/device.hpp"
#include "concord/logging.hpp"
#include "concord/plugin_loader.hpp"
#include "concord/runtime.hpp"
#include "concord/version.hpp"

namespace po = boost::program_options;

namespace concord::host {

void add_common_options(po::options_description& desc, CommonOptions& opts) {
  desc.add_options()("help,h", "show this help")("log-level",
                                                 po::value(&opts.log_level)->default_value("info"),
                                                 "trace|debug|info|warn|error|critical|off")(
      "plugin-dir", po::value(&opts.plugin_dirs)->composing(),
      "extra plugin folder, searched after the build folder and CONCORD_PLUGIN_PATH (repeatable)")(
      "device", po::value(&opts.device)->default_value("cpu"), "cpu | cuda | cuda:N")(
      "threads", po::value(&opts.threads)->default_value(0),
      "intra-op CPU threads (0 = all hardware threads)");
}

c10::Device apply_common_options(const CommonOptions& opts) {
  set_log_level(opts.log_level);
  const c10::Device device = parse_device(opts.device);
  configure_runtime(opts.threads);
  return device;
}

std::vector<std::filesystem::path> search_path(const CommonOptions& opts) {
  std::vector<std::filesystem::path> extra(opts.plugin_dirs.begin(), opts.plugin_dirs.end());
  return plugin_search_path(extra);
}

std::vector<PluginManifest> find_manifests(const CommonOptions& opts) {
  std::vector<std::string> errors;
  auto manifests = discover_manifests(search_path(opts), &errors);
  for (const auto& e : errors) logger()->warn("{}", e);
  return manifests;
}

std::vector<PluginManifest> load_plugins(const CommonOptions& opts, Registry& registry,
                                         c10::Device device) {
  auto manifests = find_manifests(opts);
  PluginLoader loader(registry, PluginContext{logger(), device, version()});
  auto results = loader.load_all(manifests);
  std::vector<PluginManifest> loaded;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].loaded) loaded.push_back(manifests[i]);
  }
  return loaded;
}

bool parse_command_line(int argc, char** argv, const std::string& usage,
                        po::options_description& desc,
                        const po::positional_options_description& positional,
                        po::variables_map& vm) {
  po::store(po::command_line_parser(argc, argv).options(desc).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n\n" << desc << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace concord::host
