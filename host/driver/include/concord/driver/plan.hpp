#pragma once
/// \file
/// A pipeline plan: the ordered stages of `concord demo` / `concord reproduce`,
/// each a `concord` subcommand with the outputs it must leave behind. Plans are
/// read from profile files (configs/profiles/*.toml).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace concord::driver {

/// One stage: a `concord` subcommand line and the files or folders it writes.
struct Stage {
  std::string name;                            ///< unique in the plan: [a-z0-9_]+
  std::string summary;                         ///< one line for the progress log
  std::vector<std::string> command;            ///< subcommand and arguments, e.g. {"train", ...}
  std::vector<std::filesystem::path> outputs;  ///< must exist after a successful run
  std::vector<std::string> after;              ///< earlier stages whose outputs it reads
};

/// The stages of one profile, in execution order.
struct Plan {
  std::string name;                  ///< profile name ("demo", "default", "paper")
  std::string description;           ///< one paragraph for the log
  std::filesystem::path run_dir;     ///< every stage writes below it ("{run}")
  std::filesystem::path ledger_dir;  ///< stages/ and stages.csv ([profile] ledger, else run_dir)
  std::vector<Stage> stages;         ///< in order; `after` only names earlier ones
  std::vector<std::filesystem::path> summary_evals;  ///< eval.csv files the summary table reads
};

/// Reads a profile file: [profile] name, description, run_dir, ledger (optional:
/// where the stage records go, for profiles sharing a run directory); [[stage]]
/// name, summary, command (array of strings), outputs (array), after (array);
/// [summary] evals (array). "{run}" in command, outputs and evals is replaced by
/// the run directory (`run_dir_override` when not empty, else [profile] run_dir),
/// and "{key}" by `vars[key]` (e.g. {data_root} from `concord demo --data-root`).
/// Throws concord::ConfigError ("file: key: what was expected") on a missing or
/// malformed key, a duplicate or badly named stage, an empty command, an `after`
/// naming a stage that does not come earlier, or a "{key}" left without a value.
Plan load_plan(const std::filesystem::path& file,
               const std::filesystem::path& run_dir_override = {},
               const std::map<std::string, std::string>& vars = {});

}  // namespace concord::driver
