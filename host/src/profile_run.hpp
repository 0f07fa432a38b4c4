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

/// Runs `plan` (driver::run_plan), passing --threads and --plugin-dir of `opts` on
/// to every stage, and logging each stage's start, skip or finish. With `jobs` > 1,
/// independent stages run at the same time, each child's output goes to
/// <ledger dir>/stages/<stage>.log instead of the terminal, and without --threads
/// each stage gets hardware threads / jobs (at least 1) intra-op threads, so the
/// lanes do not oversubscribe the cores, except a stage that starts alone with no
/// other stage ready (e.g. simulate), which gets them all. Throws concord::Error
/// naming the failed stage.
driver::RunSummary run_profile(const driver::Plan& plan, const CommonOptions& opts, bool fresh,
                               int jobs = 1);

}  // namespace concord::host
