#pragma once
/// \file
/// A `concord` subcommand and the options every subcommand shares.

#include <c10/core/Device.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "concord/manifest.hpp"
#include "concord/registry.hpp"

namespace concord::host {

/// Options shared by all subcommands (--log-level, --plugin-dir, --device, --threads).
struct CommonOptions {
  std::string log_level = "info";
  std::vector<std::string> plugin_dirs;
  std::string device = "cpu";
  int threads = 0;  ///< 0 = all hardware threads
};

/// Adds the shared options to a subcommand's option description.
void add_common_options(boost::program_options::options_description& desc, CommonOptions& opts);

/// Applies --log-level and --threads and parses --device. Returns the device.
/// Throws concord::ConfigError naming the option on a bad value.
c10::Device apply_common_options(const CommonOptions& opts);

/// The plugin search path for these options (build folder, CONCORD_PLUGIN_PATH, --plugin-dir).
std::vector<std::filesystem::path> search_path(const CommonOptions& opts);

/// Manifests found on the search path; problems are logged as warnings.
std::vector<PluginManifest> find_manifests(const CommonOptions& opts);

/// Discovers the manifests and loads every plugin into `registry` (refusals are
/// logged as one warning line each). Returns the manifests of the loaded plugins.
std::vector<PluginManifest> load_plugins(const CommonOptions& opts, Registry& registry,
                                         c10::Device device);

/// Parses argv for a subcommand. Returns false (after printing help) when --help
/// was given. Throws boost::program_options::error on a usage error.
bool parse_command_line(int argc, char** argv, const std::string& usage,
                        boost::program_options::options_description& desc,
                        const boost::program_options::positional_options_description& positional,
                        boost::program_options::variables_map& vm);

/// A subcommand: `concord <name> ...`.
struct Command {
  std::string name;
  std::string summary;
  /// argv[0] is the subcommand name. Returns the process exit code
  /// (0 success, 1 failure, 2 usage error).
  std::function<int(int argc, char** argv)> run;
};

/// All subcommands, in the order `concord --help` lists them.
std::vector<Command> all_commands();

int run_plugins(int argc, char** argv);
int run_config(int argc, char** argv);
int run_render(int argc, char** argv);
int run_simulate(int argc, char** argv);
int run_train(int argc, char** argv);
int run_eval(int argc, char** argv);
int run_negotiate(int argc, char** argv);
int run_adapt(int argc, char** argv);
int run_join(int argc, char** argv);
int run_export(int argc, char** argv);
int run_kl_gap(int argc, char** argv);
int run_costs(int argc, char** argv);
int run_demo(int argc, char** argv);
int run_reproduce(int argc, char** argv);
int run_report(int argc, char** argv);
int run_version(int argc, char** argv);

}  // namespace concord::host
