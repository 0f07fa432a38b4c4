#include "test_support.hpp"

#include <fstream>
#include <random>

#include "concord/logging.hpp"
#include "concord/plugin_loader.hpp"

namespace concord::test {

std::filesystem::path plugin_dir() {
  return CONCORD_TEST_PLUGIN_DIR;
}

PluginManifest built_manifest(const std::string& name) {
  return read_manifest(plugin_dir() / name / "plugin.toml");
}

ParamSet factory_defaults(const std::string& name, size_t index) {
  return defaults_of(built_manifest(name).factories.at(index).params, name);
}

std::shared_ptr<Registry> registry_with(const std::string& name) {
  auto registry = std::make_shared<Registry>();
  PluginLoader loader(*registry, PluginContext{logger(), c10::Device(c10::kCPU), "test"});
  loader.load(built_manifest(name));
  return registry;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("concord_test_" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace concord::test
