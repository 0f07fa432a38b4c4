#include "concord/registry.hpp"

#include <algorithm>
#include <set>

namespace concord {

namespace {

int kind_rank(const std::string& kind) {
  const auto& kinds = known_kinds();
  auto it = std::find(kinds.begin(), kinds.end(), kind);
  return static_cast<int>(it - kinds.begin());
}

std::string key_text(const std::string& kind, const std::string& name, int version) {
  return kind + "/" + name + (version >= 0 ? " v" + std::to_string(version) : "");
}

}  // namespace

void Registrar::add_factory(const std::string& kind, const std::string& name, int version,
                            ModuleFactory factory) {
  const auto& kinds = known_kinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    throw RegistryError("unknown factory kind '" + kind + "'");
  }
  if (name.empty()) throw RegistryError("factory of kind '" + kind + "' has an empty name");
  if (version < 1) {
    throw RegistryError("factory " + key_text(kind, name, -1) + ": version must be >= 1, got " +
                        std::to_string(version));
  }
  if (!factory) throw RegistryError("factory " + key_text(kind, name, version) + " is empty");
  for (const auto& s : staged_) {
    if (s.kind == kind && s.name == name && s.version == version) {
      throw RegistryError("factory " + key_text(kind, name, version) + " registered twice");
    }
  }
  staged_.push_back(Staged{kind, name, version, std::move(factory)});
}

struct Registry::Entry {
  EntryInfo info;
  ModuleFactory factory;
  EntryOrigin origin;
};

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::commit(std::vector<Registrar::Staged> staged, const EntryOrigin& origin,
                      const PluginManifest& manifest) {
  for (const auto& s : staged) {
    if (entries_.count({s.kind, s.name, s.version})) {
      const auto& other = entries_.at({s.kind, s.name, s.version})->info;
      throw RegistryError(origin.library + ": factory " + key_text(s.kind, s.name, s.version) +
                          " is already provided by plugin '" + other.plugin_name + "' " +
                          other.plugin_version);
    }
  }
  for (auto& s : staged) {
    auto entry = std::make_shared<Entry>();
    entry->info.kind = s.kind;
    entry->info.name = s.name;
    entry->info.version = s.version;
    entry->info.plugin_name = origin.plugin_name;
    entry->info.plugin_version = origin.plugin_version;
    if (const FactoryManifest* f = manifest.find(s.kind, s.name, s.version)) {
      entry->info.params = f->params;
    }
    entry->factory = std::move(s.factory);
    entry->origin = origin;
    entries_[{s.kind, s.name, s.version}] = std::move(entry);
  }
}

bool Registry::contains(const std::string& kind, const std::string& name, int version) const {
  for (const auto& [key, entry] : entries_) {
    if (std::get<0>(key) == kind && std::get<1>(key) == name &&
        (version < 0 || std::get<2>(key) == version)) {
      return true;
    }
  }
  return false;
}

std::vector<EntryInfo> Registry::list() const {
  std::vector<EntryInfo> out;
  for (const auto& [key, entry] : entries_) out.push_back(entry->info);
  std::stable_sort(out.begin(), out.end(), [](const EntryInfo& a, const EntryInfo& b) {
    return kind_rank(a.kind) < kind_rank(b.kind);
  });
  return out;
}

const Registry::Entry& Registry::find(const std::string& kind, const std::string& name,
                                      int version) const {
  const Entry* best = nullptr;
  for (const auto& [key, entry] : entries_) {
    if (std::get<0>(key) != kind || std::get<1>(key) != name) continue;
    if (version >= 0 && std::get<2>(key) != version) continue;
    if (!best || entry->info.version > best->info.version) best = entry.get();
  }
  if (!best) {
    std::string known;
    for (const auto& [key, entry] : entries_) {
      if (std::get<0>(key) == kind) {
        known += (known.empty() ? "" : ", ") + key_text(kind, std::get<1>(key), std::get<2>(key));
      }
    }
    throw RegistryError("no factory " + key_text(kind, name, version) + " is registered (" +
                        (known.empty() ? "none of kind " + kind : "registered: " + known) + ")");
  }
  return *best;
}

const EntryInfo& Registry::info(const std::string& kind, const std::string& name,
                                int version) const {
  return find(kind, name, version).info;
}

std::shared_ptr<torch::nn::Module> Registry::create_module(const std::string& kind,
                                                           const std::string& name, int version,
                                                           const ParamSet& params) const {
  const Entry& entry = find(kind, name, version);
  std::shared_ptr<torch::nn::Module> module;
  try {
    module = entry.factory(params);
  } catch (const std::exception& e) {
    throw RegistryError("plugin '" + entry.info.plugin_name + "' factory " +
                        key_text(kind, entry.info.name, entry.info.version) +
                        " failed: " + e.what());
  }
  if (!module) {
    throw RegistryError("plugin '" + entry.info.plugin_name + "' factory " +
                        key_text(kind, entry.info.name, entry.info.version) + " returned null");
  }
  // Aliasing pointer: the control block keeps both the module and the library alive;
  // the module's own shared_ptr is released before the library handle.
  struct Holder {
    std::shared_ptr<void> library;
    std::shared_ptr<torch::nn::Module> module;
    ~Holder() { module.reset(); }
  };
  auto holder = std::make_shared<Holder>(Holder{entry.origin.library_handle, module});
  return std::shared_ptr<torch::nn::Module>(holder, module.get());
}

}  // namespace concord
