#include "concord/plugin_loader.hpp"

#include <spdlog/spdlog.h>

#include <dlfcn.h>
#include <array>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>

#include "concord/build_fingerprint.hpp"
#include "concord/error.hpp"
#include "concord/plugin_abi.h"

#ifndef CONCORD_BUILD_PLUGIN_DIR
#define CONCORD_BUILD_PLUGIN_DIR ""
#endif

namespace concord {

namespace fs = std::filesystem;

const char* host_build_fingerprint() {
  return CONCORD_BUILD_FINGERPRINT;
}

namespace {

// Libraries are pinned for the life of the process: LibTorch-linked plugins
// crash on dlclose (reference/cpp-style-anchors.md §1.7). This list is
// deliberately leaked so no static destructor ever unloads them.
std::vector<std::shared_ptr<boost::dll::shared_library>>& pinned_libraries() {
  static auto* libs = new std::vector<std::shared_ptr<boost::dll::shared_library>>();
  return *libs;
}

[[noreturn]] void refuse(const fs::path& library, const std::string& what) {
  throw PluginLoadError(library.string() + ": " + what);
}

// True when the file starts with the ELF magic; gives a clearer refusal than dlopen's text.
bool is_elf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 4> magic{};
  if (!in.read(magic.data(), 4)) return false;
  return magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

std::shared_ptr<boost::dll::shared_library> open_library(const fs::path& library) {
  std::error_code fec;
  if (!fs::is_regular_file(library, fec)) refuse(library, "library file not found");
  if (!is_elf(library)) refuse(library, "not a shared library (expected an ELF file)");
  auto lib = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  lib->load(boost::dll::fs::path(library.string()), ec,
            boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) {
    const char* detail = dlerror();
    refuse(library,
           std::string("cannot load shared library: ") + (detail ? detail : ec.message().c_str()));
  }
  pinned_libraries().push_back(lib);  // never unloaded, even when refused below
  return lib;
}

std::string safe_string(const char* s) {
  return s ? std::string(s) : std::string();
}

DescriptorInfo read_descriptor(boost::dll::shared_library& lib, const fs::path& library) {
  if (!lib.has(CONCORD_DESCRIPTOR_SYMBOL)) {
    refuse(library, std::string("missing entry point ") + CONCORD_DESCRIPTOR_SYMBOL +
                        " (not a Concord plugin)");
  }
  if (!lib.has(CONCORD_REGISTER_SYMBOL)) {
    refuse(library, std::string("missing entry point ") + CONCORD_REGISTER_SYMBOL +
                        " (not a Concord plugin)");
  }
  auto descriptor_fn = lib.get<const concord_plugin_descriptor*()>(CONCORD_DESCRIPTOR_SYMBOL);
  const concord_plugin_descriptor* d = descriptor_fn();
  if (!d) refuse(library, "descriptor function returned null");
  // Minimum prefix every ABI-1 descriptor has: struct_size .. abi_minor.
  if (d->struct_size < offsetof(concord_plugin_descriptor, name)) {
    refuse(library, "descriptor struct_size " + std::to_string(d->struct_size) + " is too small");
  }
  DescriptorInfo info;
  info.struct_size = d->struct_size;
  info.abi_major = d->abi_major;
  info.abi_minor = d->abi_minor;
  if (d->abi_major != CONCORD_ABI_MAJOR) {
    refuse(library, "ABI major mismatch: expected " + std::to_string(CONCORD_ABI_MAJOR) +
                        ", found " + std::to_string(d->abi_major));
  }
  if (d->abi_minor > CONCORD_ABI_MINOR) {
    refuse(library, "ABI minor too new: expected <= " + std::to_string(CONCORD_ABI_MINOR) +
                        ", found " + std::to_string(d->abi_minor));
  }
  if (d->struct_size < sizeof(concord_plugin_descriptor)) {
    refuse(library, "descriptor struct_size " + std::to_string(d->struct_size) +
                        " is smaller than ABI " + std::to_string(CONCORD_ABI_MAJOR) + "." +
                        std::to_string(d->abi_minor) + " requires (" +
                        std::to_string(sizeof(concord_plugin_descriptor)) + ")");
  }
  info.name = safe_string(d->name);
  info.version = safe_string(d->version);
  info.build_fingerprint = safe_string(d->build_fingerprint);
  if (info.build_fingerprint != host_build_fingerprint()) {
    refuse(library, std::string("build fingerprint mismatch: expected \"") +
                        host_build_fingerprint() + "\", found \"" + info.build_fingerprint + "\"");
  }
  if (info.name.empty()) refuse(library, "descriptor has an empty plugin name");
  if (d->provides_count > 0 && !d->provides) refuse(library, "descriptor provides is null");
  for (uint32_t i = 0; i < d->provides_count; ++i) {
    info.provides.emplace_back(safe_string(d->provides[i].kind), safe_string(d->provides[i].name),
                               d->provides[i].version);
  }
  return info;
}

}  // namespace

DescriptorInfo inspect_library(const fs::path& library) {
  auto lib = open_library(library);
  return read_descriptor(*lib, library);
}

PluginLoader::PluginLoader(Registry& registry, PluginContext context)
    : registry_(registry), context_(std::move(context)) {
  if (!context_.logger) context_.logger = spdlog::default_logger();
}

void PluginLoader::load(const PluginManifest& manifest) {
  const fs::path& library = manifest.library;
  auto lib = open_library(library);
  DescriptorInfo info = read_descriptor(*lib, library);
  if (info.name != manifest.name) {
    refuse(library, "descriptor name \"" + info.name + "\" differs from " + manifest.path.string() +
                        " name \"" + manifest.name + "\"");
  }
  if (info.version != manifest.version) {
    refuse(library, "descriptor version " + info.version + " differs from " +
                        manifest.path.string() + " version " + manifest.version);
  }
  std::set<std::tuple<std::string, std::string, int>> declared(info.provides.begin(),
                                                               info.provides.end());
  std::set<std::tuple<std::string, std::string, int>> in_manifest;
  for (const auto& f : manifest.factories) in_manifest.insert({f.kind, f.name, f.version});
  if (declared != in_manifest) {
    refuse(library, "descriptor provides differ from the factories of " + manifest.path.string());
  }

  auto register_fn =
      lib->get<int(concord_registrar*, const concord_plugin_context*, char*, size_t)>(
          CONCORD_REGISTER_SYMBOL);
  Registrar registrar;
  std::array<char, 1024> error{};
  int status = 0;
  try {
    status = register_fn(reinterpret_cast<concord_registrar*>(&registrar),
                         reinterpret_cast<const concord_plugin_context*>(&context_), error.data(),
                         error.size());
  } catch (const std::exception& e) {  // a hand-written entry point that let an exception out
    std::snprintf(error.data(), error.size(), "%s", e.what());
    status = -1;
  } catch (...) {
    std::snprintf(error.data(), error.size(), "unknown exception");
    status = -1;
  }
  error.back() = '\0';
  if (status != 0) {
    refuse(library, std::string("registration failed: ") +
                        (error[0] ? error.data() : "status " + std::to_string(status)));
  }
  std::set<std::tuple<std::string, std::string, int>> staged;
  for (const auto& s : registrar.staged()) staged.insert({s.kind, s.name, s.version});
  if (staged != declared) {
    refuse(library, "registered factories differ from the descriptor's provides");
  }
  EntryOrigin origin{manifest.name, manifest.version, library.string(),
                     std::shared_ptr<void>(lib, lib.get())};
  try {
    registry_.commit(registrar.take(), origin, manifest);
  } catch (const RegistryError& e) {
    throw PluginLoadError(e.what());
  }
  context_.logger->debug("loaded plugin {} {} from {}", manifest.name, manifest.version,
                         library.string());
}

std::vector<LoadResult> PluginLoader::load_all(const std::vector<PluginManifest>& manifests) {
  std::vector<LoadResult> results;
  for (const auto& m : manifests) {
    LoadResult r{m.name, m.library, false, ""};
    try {
      load(m);
      r.loaded = true;
    } catch (const std::exception& e) {
      r.error = e.what();
      context_.logger->warn("plugin {} refused: {}", m.name, r.error);
    }
    results.push_back(std::move(r));
  }
  return results;
}

std::vector<fs::path> plugin_search_path(const std::vector<fs::path>& extra_dirs) {
  std::vector<fs::path> candidates;
  if (std::strlen(CONCORD_BUILD_PLUGIN_DIR) > 0) candidates.emplace_back(CONCORD_BUILD_PLUGIN_DIR);
  try {
    fs::path exe = boost::dll::program_location().string();
    candidates.push_back(exe.parent_path().parent_path() / "plugins");
  } catch (...) {
  }
  if (const char* env = std::getenv("CONCORD_PLUGIN_PATH")) {
    std::string s(env);
    std::size_t i = 0;
    while (i <= s.size()) {
      std::size_t j = s.find(':', i);
      if (j == std::string::npos) j = s.size();
      if (j > i) candidates.emplace_back(s.substr(i, j - i));
      i = j + 1;
    }
  }
  candidates.insert(candidates.end(), extra_dirs.begin(), extra_dirs.end());
  std::vector<fs::path> out;
  std::set<std::string> seen;
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!fs::is_directory(c, ec)) continue;
    fs::path canon = fs::weakly_canonical(c, ec);
    if (seen.insert(canon.string()).second) out.push_back(canon);
  }
  return out;
}

}  // namespace concord
