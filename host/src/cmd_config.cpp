// `concord config check FILE...`.
#include <iostream>

#include "command.hpp"
#include "concord/config.hpp"
#include "concord/logging.hpp"

namespace po = boost::program_options;

namespace concord::host {

int run_config(int argc, char** argv) {
  CommonOptions opts;
  std::string action;
  std::vector<std::string> files;
  po::options_description desc("options");
  add_common_options(desc, opts);
  po::options_description hidden;
  hidden.add_options()("action", po::value(&action))("file", po::value(&files));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("action", 1).add("file", -1);
  po::variables_map vm;
  const std::string usage =
      "usage: concord config check FILE...\n\n"
      "Checks agent and experiment TOML files: sections, keys, types and ranges,\n"
      "the plugins they name and each plugin's parameter spec. Prints one line per\n"
      "problem as file:line:column: message. Exit code 1 when any problem is found.";
  if (!parse_command_line(argc, argv, usage, all, pos, vm)) return 0;
  apply_common_options(opts);
  if (action != "check") {
    throw po::error(action.empty() ? "missing action: check" : "unknown action '" + action + "'");
  }
  if (files.empty()) throw po::error("check needs at least one FILE");
  const auto manifests = find_manifests(opts);
  int failures = 0;
  for (const auto& f : files) {
    const auto problems = check_config(f, manifests);
    if (problems.empty()) {
      std::cout << "ok " << f << "\n";
    } else {
      ++failures;
      for (const auto& p : problems) std::cerr << "error: " << p << "\n";
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace concord::host
