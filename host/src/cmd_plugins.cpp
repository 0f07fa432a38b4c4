// `concord plugins list|inspect`.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/plugin_abi.h"
#include "concord/plugin_loader.hpp"
#include "concord/version.hpp"

namespace po = boost::program_options;

namespace concord::host {

namespace {

std::string spec_line(const ParamSpec& s) {
  std::string line = s.key + " (" + to_string(s.type);
  if (!s.unit.empty()) line += ", " + s.unit;
  line += ")";
  if (s.default_value)
    line += " default " + to_string(*s.default_value);
  else
    line += " required";
  if (s.min || s.max) {
    const bool ints = s.type == ParamType::kInt || s.type == ParamType::kIntList;
    auto bound = [ints](const std::optional<double>& b, const char* none) {
      if (!b) return std::string(none);
      return ints ? std::to_string(static_cast<int64_t>(*b)) : to_string(ParamValue(*b));
    };
    line += " range [" + bound(s.min, "-inf") + ", " + bound(s.max, "inf") + "]";
  }
  if (!s.choices.empty()) {
    line += " one of";
    for (const auto& c : s.choices) line += " " + c;
  }
  if (!s.description.empty()) line += ": " + s.description;
  return line;
}

int list(const CommonOptions& opts, bool show_params) {
  auto manifests = find_manifests(opts);
  struct Row {
    std::string kind, name, version, plugin, description;
    const FactoryManifest* factory;
  };
  std::vector<Row> rows;
  for (const auto& m : manifests) {
    for (const auto& f : m.factories) {
      rows.push_back(
          {f.kind, f.name, std::to_string(f.version), m.name + " " + m.version, f.description, &f});
    }
  }
  const auto& kinds = known_kinds();
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    auto ra = std::find(kinds.begin(), kinds.end(), a.kind) - kinds.begin();
    auto rb = std::find(kinds.begin(), kinds.end(), b.kind) - kinds.begin();
    return std::tie(ra, a.name, a.version) < std::tie(rb, b.name, b.version);
  });
  std::printf("%-10s %-16s %-7s %-24s %s\n", "KIND", "NAME", "VERSION", "PLUGIN", "DESCRIPTION");
  for (const auto& r : rows) {
    std::printf("%-10s %-16s %-7s %-24s %s\n", r.kind.c_str(), r.name.c_str(), r.version.c_str(),
                r.plugin.c_str(), r.description.c_str());
    if (show_params) {
      for (const auto& s : r.factory->params) std::printf("    %s\n", spec_line(s).c_str());
    }
  }
  std::printf("%zu plugin(s), %zu factories; search path:", manifests.size(), rows.size());
  for (const auto& d : search_path(opts)) std::printf(" %s", d.string().c_str());
  std::printf("\n");
  return 0;
}

int inspect(const CommonOptions& opts, const std::string& name) {
  auto manifests = find_manifests(opts);
  auto it = std::find_if(manifests.begin(), manifests.end(),
                         [&](const PluginManifest& m) { return m.name == name; });
  if (it == manifests.end()) {
    logger()->error("plugin '{}' not found in the search path (see concord plugins list)", name);
    return 1;
  }
  // Load it for real: descriptor checks, registration, and the registry's view.
  Registry registry;
  PluginLoader loader(registry, PluginContext{logger(), c10::Device(c10::kCPU), version()});
  DescriptorInfo d;
  try {
    d = inspect_library(it->library);
    loader.load(*it);
  } catch (const PluginLoadError& e) {
    logger()->error("{}", e.what());
    return 1;
  }
  std::printf("plugin        %s %s\n", d.name.c_str(), d.version.c_str());
  std::printf("manifest      %s\n", it->path.string().c_str());
  std::printf("library       %s\n", it->library.string().c_str());
  std::printf("description   %s\n", it->description.c_str());
  std::printf("abi           %u.%u (host %d.%d), descriptor %u bytes\n", d.abi_major, d.abi_minor,
              CONCORD_ABI_MAJOR, CONCORD_ABI_MINOR, d.struct_size);
  std::printf("fingerprint   %s (matches host)\n", d.build_fingerprint.c_str());
  std::printf("provides\n");
  for (const auto& e : registry.list()) {
    std::printf("  %-10s %s v%d\n", e.kind.c_str(), e.name.c_str(), e.version);
    for (const auto& s : e.params) std::printf("      %s\n", spec_line(s).c_str());
  }
  return 0;
}

}  // namespace

int run_plugins(int argc, char** argv) {
  CommonOptions opts;
  std::string action, name;
  bool show_params = false;
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("params", po::bool_switch(&show_params), "list: also show parameter specs");
  po::options_description hidden;
  hidden.add_options()("action", po::value(&action))("name", po::value(&name));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("action", 1).add("name", 1);
  po::variables_map vm;
  const std::string usage =
      "usage: concord plugins list [--params]\n"
      "       concord plugins inspect NAME\n\n"
      "list reads the plugin.toml manifests only (nothing is loaded); inspect loads\n"
      "the library, validates its descriptor and shows what it registers.";
  if (!parse_command_line(argc, argv, usage, all, pos, vm)) {
    std::cout << desc << "\n";
    return 0;
  }
  apply_common_options(opts);
  if (action == "list") return list(opts, show_params);
  if (action == "inspect") {
    if (name.empty()) throw po::error("inspect needs a plugin NAME");
    return inspect(opts, name);
  }
  throw po::error(action.empty() ? "missing action: list or inspect"
                                 : "unknown action '" + action + "': expected list or inspect");
}

}  // namespace concord::host
