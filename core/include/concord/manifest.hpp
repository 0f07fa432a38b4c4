#pragma once
/// \file
/// plugin.toml: the manifest beside each plugin library. It lets
/// `concord plugins list` and config validation work without loading any code
/// (pluginlib/Apollo pattern, reference/cpp-style-anchors.md §1.2, §1.8 item 9).
///
/// Format:
///   name = "max_fusion"              # plugin name, equal to the descriptor's
///   version = "1.0.0"                # plugin version, equal to the descriptor's
///   description = "..."
///   library = "concord_max_fusion.so" # relative to the manifest's folder
///   [[factory]]
///   kind = "fusion"  name = "max"  version = 1  description = "..."
///   [[factory.param]]
///   key = "..." type = "int|float|bool|string|int_list|float_list"
///   default = ...  min = ...  max = ...  choices = [...]  unit = "m"  description = "..."

#include <filesystem>
#include <string>
#include <vector>

#include "concord/export.hpp"
#include "concord/params.hpp"

namespace concord {

/// One factory declared by a manifest.
struct FactoryManifest {
  std::string
      kind;  ///< "encoder", "sender", "receiver", "negotiator", "alignment", "fusion", "head"
  std::string name;  ///< factory name, unique within (kind, version)
  int version = 1;   ///< integer factory version (>= 1)
  std::string description;
  std::vector<ParamSpec> params;
};

/// A parsed plugin.toml.
struct CONCORD_CORE_API PluginManifest {
  std::filesystem::path path;  ///< the plugin.toml file
  std::string name;
  std::string version;  ///< "MAJOR.MINOR.PATCH"
  std::string description;
  std::filesystem::path library;  ///< absolute path of the shared library
  std::vector<FactoryManifest> factories;

  /// The factory of (kind, name, version), version < 0 = highest; nullptr when absent.
  const FactoryManifest* find(const std::string& kind, const std::string& name,
                              int version = -1) const;
};

/// The factory kinds Concord knows, in data-flow order.
CONCORD_CORE_API const std::vector<std::string>& known_kinds();

/// Parses and validates a plugin.toml. Throws concord::ConfigError with
/// "file:line:column: message" on syntax errors, unknown keys, wrong types,
/// unknown kinds, defaults outside their range or duplicate factories.
CONCORD_CORE_API PluginManifest read_manifest(const std::filesystem::path& path);

/// Finds every plugin.toml in `dirs` (each dir itself and its direct
/// subfolders), in order; for the same plugin name the first one wins. Files
/// that fail to parse are returned in `errors` (one line each) and skipped.
CONCORD_CORE_API std::vector<PluginManifest> discover_manifests(
    const std::vector<std::filesystem::path>& dirs, std::vector<std::string>* errors);

}  // namespace concord
