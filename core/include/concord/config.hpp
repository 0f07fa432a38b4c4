#pragma once
/// \file
/// TOML configs: agent definitions (sensor, encoder plugin and parameters) and
/// experiment files (which agents, which components, which stages). Every error
/// reads "file:line:column: message". toml++ types never leave core (their
/// inline namespaces differ between builds, reference/cpp-style-anchors.md §1.8 item 7).

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "concord/export.hpp"
#include "concord/manifest.hpp"
#include "concord/params.hpp"

namespace concord {

/// Source position of a config node.
struct CONCORD_CORE_API SourcePos {
  std::filesystem::path file;
  int line = 0;
  int column = 0;
  /// "file:line:column" (or "file" when the position is unknown).
  std::string str() const;
};

/// A component section: a table with a `plugin` key, e.g.
///   [fusion]
///   plugin = "max_fusion"   # plugin name
///   factory = "max"         # optional when the plugin has one factory of this kind
///   version = 1             # optional, highest when absent
///   [fusion.params]         # validated against the factory's parameter spec
struct ComponentConfig {
  std::string section;  ///< "encoder", "fusion", ... (equals the factory kind)
  std::string plugin;
  std::string factory;  ///< empty = the plugin's only factory of this kind
  int version = -1;
  SourcePos pos;  ///< position of the section
  /// Raw parameter values as written, with their positions, before validation.
  std::map<std::string, std::pair<ParamValue, SourcePos>> params;
};

/// A loaded config file: typed sections for the host plus its components.
class CONCORD_CORE_API ConfigFile {
 public:
  /// Parses `path` and checks it against the schema of its kind ([agent] →
  /// agent file, [experiment] → experiment file). Throws ConfigError
  /// ("file:line:column: message") on syntax errors, unknown sections or keys,
  /// wrong types and out-of-range values.
  static ConfigFile load(const std::filesystem::path& path);

  /// "agent" or "experiment".
  const std::string& kind() const { return kind_; }
  const std::filesystem::path& path() const { return path_; }
  /// Scalar settings of the host-defined sections, "section.key" → value.
  const std::map<std::string, std::pair<ParamValue, SourcePos>>& settings() const {
    return settings_;
  }
  /// Component sections in file order.
  const std::vector<ComponentConfig>& components() const { return components_; }
  /// Agent files an experiment refers to (resolved relative to the experiment file).
  const std::vector<std::pair<std::filesystem::path, SourcePos>>& agent_files() const {
    return agent_files_;
  }

 private:
  std::string kind_;
  std::filesystem::path path_;
  std::map<std::string, std::pair<ParamValue, SourcePos>> settings_;
  std::vector<ComponentConfig> components_;
  std::vector<std::pair<std::filesystem::path, SourcePos>> agent_files_;
};

/// Validates a component against the manifests: the plugin exists, provides a
/// factory of the section's kind (and the named one/version), every parameter
/// key is declared, has the declared type and lies in range. Returns the full
/// ParamSet (defaults filled in). Throws ConfigError "file:line:column: ...".
CONCORD_CORE_API ParamSet validate_component(const ComponentConfig& component,
                                             const std::vector<PluginManifest>& manifests,
                                             const FactoryManifest** factory_out = nullptr);

/// Loads a config and every agent file it refers to, validates all components.
/// Returns the list of problems (one line each); empty when the config is valid.
/// Never throws for problems inside the files.
CONCORD_CORE_API std::vector<std::string> check_config(
    const std::filesystem::path& path, const std::vector<PluginManifest>& manifests);

}  // namespace concord
