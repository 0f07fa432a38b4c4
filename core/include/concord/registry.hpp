#pragma once
/// \file
/// The factory registry, keyed by (kind, name, version). Plugins stage their
/// factories in a Registrar during registration; the host commits them only
/// when registration succeeded and matches the plugin's descriptor.
/// Source: reference/cpp-style-anchors.md §1.8 items 3-4.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "concord/error.hpp"
#include "concord/export.hpp"
#include "concord/manifest.hpp"
#include "concord/params.hpp"

namespace torch::nn {
class Module;  // complete in <torch/nn/module.h>, which every module base includes
}

namespace concord {

/// Type-erased factory: validated parameters → a module of the entry's kind.
using ModuleFactory = std::function<std::shared_ptr<torch::nn::Module>(const ParamSet&)>;

/// Staging area handed to a plugin's registration function.
class CONCORD_CORE_API Registrar {
 public:
  /// One staged factory.
  struct Staged {
    std::string kind;
    std::string name;
    int version;
    ModuleFactory factory;
  };

  /// Stages a factory for base class `Base` (Encoder, Sender, ...; its kKind gives the kind).
  /// `make` returns std::shared_ptr<Derived> with Derived deriving from Base.
  template <class Base, class Make>
  void add(const std::string& name, int version, Make make) {
    static_assert(std::is_base_of_v<torch::nn::Module, Base>,
                  "Base must be a Concord module base (include its header)");
    add_factory(Base::kKind, name, version,
                [make](const ParamSet& params) -> std::shared_ptr<torch::nn::Module> {
                  std::shared_ptr<Base> module = make(params);
                  return module;
                });
  }

  /// Stages a type-erased factory. Throws RegistryError on an empty name, a
  /// version < 1, an unknown kind or a (kind, name, version) staged twice.
  void add_factory(const std::string& kind, const std::string& name, int version,
                   ModuleFactory factory);

  const std::vector<Staged>& staged() const { return staged_; }
  std::vector<Staged> take() { return std::move(staged_); }

 private:
  std::vector<Staged> staged_;
};

/// Where a registry entry came from.
struct EntryOrigin {
  std::string plugin_name;
  std::string plugin_version;
  std::string library;                   ///< path of the shared library
  std::shared_ptr<void> library_handle;  ///< keeps the library alive while the entry exists
};

/// Public description of one registered factory.
struct EntryInfo {
  std::string kind;
  std::string name;
  int version;
  std::string plugin_name;
  std::string plugin_version;
  std::vector<ParamSpec> params;
};

/// The registry. Not thread-safe for registration; creation is safe from one thread.
class CONCORD_CORE_API Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// Adds the staged factories of one plugin. `manifest` supplies each factory's
  /// parameter spec. All-or-nothing: throws RegistryError (nothing added) on a
  /// duplicate (kind, name, version) already registered.
  void commit(std::vector<Registrar::Staged> staged, const EntryOrigin& origin,
              const PluginManifest& manifest);

  /// True when (kind, name, version) is registered; version < 0 = any.
  bool contains(const std::string& kind, const std::string& name, int version = -1) const;

  /// Every entry, sorted by kind (data-flow order), name, version.
  std::vector<EntryInfo> list() const;

  /// Creates a module. version < 0 selects the highest registered version.
  /// The returned pointer's deleter holds the plugin library. Throws
  /// RegistryError when the entry is missing, the factory throws (message
  /// tagged with the plugin name) or returns a type that is not a `Base`.
  template <class Base>
  std::shared_ptr<Base> create(const std::string& name, int version, const ParamSet& params) const {
    std::shared_ptr<torch::nn::Module> module = create_module(Base::kKind, name, version, params);
    auto typed = std::dynamic_pointer_cast<Base>(module);
    if (!typed) {
      throw RegistryError(std::string("factory ") + Base::kKind + "/" + name +
                          " returned a module that is not a " + Base::kKind);
    }
    return typed;
  }

  /// Type-erased creation; see create().
  std::shared_ptr<torch::nn::Module> create_module(const std::string& kind, const std::string& name,
                                                   int version, const ParamSet& params) const;

  /// The parameter spec of an entry; throws RegistryError when absent.
  const EntryInfo& info(const std::string& kind, const std::string& name, int version = -1) const;

 private:
  struct Entry;
  using Key = std::tuple<std::string, std::string, int>;
  const Entry& find(const std::string& kind, const std::string& name, int version) const;
  std::map<Key, std::shared_ptr<Entry>> entries_;
};

}  // namespace concord
