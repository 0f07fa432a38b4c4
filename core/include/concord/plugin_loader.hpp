#pragma once
/// \file
/// Loads plugin libraries with Boost.DLL, validates their descriptor before any
/// C++ object crosses the boundary, and registers their factories.
/// Refusal rules (reference/cpp-style-anchors.md §1.5, §1.8 item 3): equal ABI
/// major, plugin minor <= host minor, exact build fingerprint, descriptor name,
/// version and provides equal to the manifest's. Libraries are never unloaded
/// (LibTorch static destructors crash on dlclose, §1.7).

#include <filesystem>
#include <string>
#include <vector>

#include "concord/export.hpp"
#include "concord/manifest.hpp"
#include "concord/plugin_context.hpp"
#include "concord/registry.hpp"

namespace concord {

/// The descriptor of a loaded library, copied out of plugin memory.
struct DescriptorInfo {
  uint32_t struct_size = 0;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::string name;
  std::string version;
  std::string build_fingerprint;
  /// (kind, name, version) triples.
  std::vector<std::tuple<std::string, std::string, int>> provides;
};

/// Outcome of loading one plugin.
struct LoadResult {
  std::string plugin;  ///< manifest name (or library file name when no manifest)
  std::filesystem::path library;
  bool loaded = false;
  std::string error;  ///< one line, empty when loaded
};

/// The host's fingerprint (CONCORD_BUILD_FINGERPRINT compiled into concord_core).
CONCORD_CORE_API const char* host_build_fingerprint();

/// Loads a library and reads its descriptor without registering anything.
/// Throws PluginLoadError ("<file>: <what was expected>, found <value>") when
/// the file is not a loadable shared library, lacks the entry points, or its
/// descriptor fails the ABI/fingerprint rules.
CONCORD_CORE_API DescriptorInfo inspect_library(const std::filesystem::path& library);

/// Loads plugins into a registry. Failures of one plugin never stop the others.
class CONCORD_CORE_API PluginLoader {
 public:
  PluginLoader(Registry& registry, PluginContext context);

  /// Loads the plugin a manifest describes. Throws PluginLoadError on any refusal;
  /// the registry is unchanged then.
  void load(const PluginManifest& manifest);

  /// Loads every manifest; returns one result per manifest, never throws for a
  /// single plugin's failure (each refusal is logged as one warning line).
  std::vector<LoadResult> load_all(const std::vector<PluginManifest>& manifests);

 private:
  Registry& registry_;
  PluginContext context_;
};

/// Plugin search path: the build's plugin folder, the folder `plugins/` beside
/// the running executable's parent, then CONCORD_PLUGIN_PATH (colon-separated),
/// then `extra_dirs` (--plugin-dir). Non-existent folders are dropped; duplicates
/// keep their first position.
CONCORD_CORE_API std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& extra_dirs);

}  // namespace concord
