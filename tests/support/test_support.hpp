#pragma once
/// \file
/// Helpers for tests: load built plugins into a fresh registry, temp dirs.

#include <filesystem>
#include <memory>
#include <string>

#include "concord/manifest.hpp"
#include "concord/registry.hpp"

namespace concord::test {

/// The build's plugin folder (CONCORD_PLUGIN_OUTPUT_DIR).
std::filesystem::path plugin_dir();

/// The manifest of a built plugin `name` (plugin_dir()/name/plugin.toml).
PluginManifest built_manifest(const std::string& name);

/// A registry holding the plugin `name` loaded from the build folder. Throws on refusal.
std::shared_ptr<Registry> registry_with(const std::string& name);

/// The plugin.toml defaults of factory `index` of built plugin `name` (in manifest
/// order). Throws std::out_of_range for a bad index.
ParamSet factory_defaults(const std::string& name, size_t index);

/// A fresh empty temporary folder, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Writes `text` to `path`, creating parent folders.
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace concord::test
