#pragma once
/// \file
/// The host's spdlog logger ("concord"): coloured stderr, plus a log file in
/// each run directory.

#include <filesystem>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "concord/export.hpp"

namespace concord {

/// The process-wide logger, created on first use (stderr sink, level info).
CONCORD_CORE_API std::shared_ptr<spdlog::logger> logger();

/// Sets the level from "trace|debug|info|warn|error|critical|off".
/// Throws ConfigError naming the value when it is not one of those.
CONCORD_CORE_API void set_log_level(const std::string& level);

/// Adds a file sink writing `run_dir/concord.log` (appending, so a resumed run
/// keeps its history). Creates run_dir. Throws Error when the file cannot be opened.
CONCORD_CORE_API void add_run_log_file(const std::filesystem::path& run_dir);

}  // namespace concord
