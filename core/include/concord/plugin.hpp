#pragma once
/// \file
/// What a plugin includes: the bases, the Registrar and CONCORD_PLUGIN(), which
/// generates the two extern "C" entry points of <concord/plugin_abi.h>.
///
/// Usage in a plugin's single registration file:
///
///   static void register_factories(concord::Registrar& r, const concord::PluginContext& ctx) {
///     r.add<concord::Fusion>("max", 1, [](const concord::ParamSet&) {
///       return std::make_shared<MaxFusion>(); });
///   }
///   CONCORD_PLUGIN("max_fusion", "1.0.0", register_factories, {"fusion", "max", 1})

#include <cstdio>
#include <exception>

#include "concord/build_fingerprint.hpp"
#include "concord/plugin_abi.h"
#include "concord/plugin_context.hpp"
#include "concord/registry.hpp"

/// Defines the descriptor and register entry points. NAME and VERSION are string
/// literals; REGISTER_FN is `void(concord::Registrar&, const concord::PluginContext&)`;
/// the trailing arguments are the provided {kind, name, version} triples, which
/// must equal what REGISTER_FN stages (the host checks).
#define CONCORD_PLUGIN(NAME, VERSION, REGISTER_FN, ...)                                         \
  namespace {                                                                                   \
  const concord_plugin_provide concord_plugin_provides_[] = {__VA_ARGS__};                      \
  const concord_plugin_descriptor concord_plugin_descriptor_ = {                                \
      sizeof(concord_plugin_descriptor),                                                        \
      CONCORD_ABI_MAJOR,                                                                        \
      CONCORD_ABI_MINOR,                                                                        \
      NAME,                                                                                     \
      VERSION,                                                                                  \
      static_cast<uint32_t>(sizeof(concord_plugin_provides_) / sizeof(concord_plugin_provide)), \
      concord_plugin_provides_,                                                                 \
      CONCORD_BUILD_FINGERPRINT};                                                               \
  }                                                                                             \
  CONCORD_PLUGIN_EXPORT const concord_plugin_descriptor* concord_plugin_descriptor_v1(void) {   \
    return &concord_plugin_descriptor_;                                                         \
  }                                                                                             \
  CONCORD_PLUGIN_EXPORT int concord_plugin_register_v1(concord_registrar* registrar,            \
                                                       const concord_plugin_context* context,   \
                                                       char* error, size_t error_size) {        \
    try {                                                                                       \
      REGISTER_FN(*reinterpret_cast<concord::Registrar*>(registrar),                            \
                  *reinterpret_cast<const concord::PluginContext*>(context));                   \
      return 0;                                                                                 \
    } catch (const std::exception& e) {                                                         \
      std::snprintf(error, error_size, "%s", e.what());                                         \
    } catch (...) {                                                                             \
      std::snprintf(error, error_size, "unknown exception");                                    \
    }                                                                                           \
    return 1;                                                                                   \
  }
