#pragma once
/// \file
/// What `concord demo` and `concord reproduce` share: locate a profile file,
/// run its stages as child `concord` processes with the driver (resuming a
/// stopped run), and log the progress.

#include <filesystem>
#include <string>

#include "command.hpp"
#include "concord/driver/plan.hpp"
#include "concord/driver/runner.hpp"

namespace concord::host {

/// configs/profiles/<name>.toml below the working directory. Throws
/// concord::ConfigError naming the path (and the folder to run from) when absent.
std::filesystem::path profile_file(const std::string& name);

/// Runs `plan` stage by stage (driver::run_plan), passing --threads and
/// --plugin-dir of `opts` on to every stage, and logging each stage's start,
/// skip or finish. Throws concord::Error naming the failed stage.
driver::RunSummary run_profile(const driver::Plan& plan, const CommonOptions& opts, bool fresh);

}  // namespace concord::host
