#include "concord/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "concord/error.hpp"

namespace concord {

std::shared_ptr<spdlog::logger> logger() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> instance;
  std::call_once(once, [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    instance = std::make_shared<spdlog::logger>("concord", sink);
    instance->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
    instance->set_level(spdlog::level::info);
    instance->flush_on(spdlog::level::warn);
  });
  return instance;
}

void set_log_level(const std::string& level) {
  static const char* names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (const char* n : names) {
    if (level == n) {
      logger()->set_level(spdlog::level::from_str(level));
      return;
    }
  }
  throw ConfigError("--log-level: expected trace|debug|info|warn|error|critical|off, got \"" +
                    level + "\"");
}

void add_run_log_file(const std::filesystem::path& run_dir) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir, ec);
  const auto file = run_dir / "concord.log";
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), false);
    sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    sink->set_level(spdlog::level::trace);
    logger()->sinks().push_back(sink);
    logger()->flush_on(spdlog::level::info);
  } catch (const spdlog::spdlog_ex& e) {
    throw Error(file.string() + ": cannot open log file: " + e.what());
  }
}

}  // namespace concord
