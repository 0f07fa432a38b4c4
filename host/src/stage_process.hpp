#pragma once
/// \file
/// Runs a pipeline stage as a child `concord` process, so that a failing stage
/// (or one that runs out of memory) never takes the driver down with it.

#include <filesystem>
#include <string>
#include <vector>

#include "concord/driver/plan.hpp"

namespace concord::host {

/// Runs `concord <stage.command...> <extra...>` with this executable
/// (/proc/self/exe) and waits for it. Its stdout and stderr go to `log_file`
/// (created or truncated) when not empty, else to the driver's own. Returns its exit
/// code, 128 + signal when it was killed. Throws concord::Error when it cannot start.
int run_stage_process(const driver::Stage& stage, const std::vector<std::string>& extra,
                      const std::filesystem::path& log_file = {});

}  // namespace concord::host
