#pragma once
/// \file
/// What the host hands a plugin at registration time.

#include <c10/core/Device.h>

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace concord {

/// Read-only context passed to a plugin's registration function. The logger is
/// the host's (spdlog is a shared library here, so plugin and host share its
/// registry; reference/cpp-style-anchors.md §1.8 item 6).
struct PluginContext {
  std::shared_ptr<spdlog::logger> logger;       ///< never null
  c10::Device device = c10::Device(c10::kCPU);  ///< device chosen with --device
  std::string host_version;                     ///< Concord version of the host, "0.1.0"
};

}  // namespace concord
