/*
 * Concord plugin ABI: the outer, C-level surface every plugin exports.
 *
 * A plugin is a shared library (CMake MODULE, hidden visibility) exporting
 * exactly two extern "C" functions:
 *
 *   const concord_plugin_descriptor* concord_plugin_descriptor_v1(void);
 *   int concord_plugin_register_v1(concord_registrar* registrar,
 *                                  const concord_plugin_context* context,
 *                                  char* error, size_t error_size);
 *
 * The host calls the descriptor function first and validates it (equal ABI
 * major, plugin minor <= host minor, exact build fingerprint) before any C++
 * object crosses the boundary; only then does it call the register function,
 * which returns 0 on success or non-zero with a NUL-terminated message in
 * `error`. Source: reference/cpp-style-anchors.md §1.5, §1.8 (GStreamer/OBS
 * descriptor pattern, two-layer ABI).
 *
 * Plugins normally do not write these by hand: CONCORD_PLUGIN() in
 * <concord/plugin.hpp> generates both from a C++ registration function.
 */
#ifndef CONCORD_PLUGIN_ABI_H_
#define CONCORD_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI major: bumped on any incompatible change of the bases, registry or descriptor.
 *  2: Fusion gained the virtual loss() (pyramid occupancy supervision). */
#define CONCORD_ABI_MAJOR 2
/** ABI minor: bumped on backwards-compatible additions; a plugin needs minor <= host minor. */
#define CONCORD_ABI_MINOR 0

/** Exported symbol names, looked up by the host. */
#define CONCORD_DESCRIPTOR_SYMBOL "concord_plugin_descriptor_v1"
#define CONCORD_REGISTER_SYMBOL "concord_plugin_register_v1"

/** One factory a plugin provides: kind ("encoder", "sender", ...), name, integer version. */
typedef struct concord_plugin_provide {
  const char* kind;
  const char* name;
  int32_t version;
} concord_plugin_provide;

/**
 * Plain-data plugin descriptor. `struct_size` comes first so fields can be
 * appended in later minors (OBS pattern). All strings are static, NUL-terminated.
 */
typedef struct concord_plugin_descriptor {
  uint32_t struct_size;    /**< sizeof(concord_plugin_descriptor) as the plugin saw it */
  uint32_t abi_major;      /**< CONCORD_ABI_MAJOR the plugin was built against */
  uint32_t abi_minor;      /**< CONCORD_ABI_MINOR the plugin was built against */
  const char* name;        /**< plugin name, equal to its plugin.toml `name` */
  const char* version;     /**< plugin version, semantic "MAJOR.MINOR.PATCH" */
  uint32_t provides_count; /**< number of entries in `provides` */
  const concord_plugin_provide* provides; /**< the factories it registers */
  const char* build_fingerprint;          /**< CONCORD_BUILD_FINGERPRINT of the plugin's build */
} concord_plugin_descriptor;

/** Opaque handles: a concord::Registrar and a concord::PluginContext on the C++ side. */
typedef struct concord_registrar concord_registrar;
typedef struct concord_plugin_context concord_plugin_context;

/** Marks an entry point as exported from a hidden-visibility plugin. */
#ifdef __cplusplus
#define CONCORD_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define CONCORD_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

typedef const concord_plugin_descriptor* (*concord_descriptor_fn)(void);
typedef int (*concord_register_fn)(concord_registrar* registrar,
                                   const concord_plugin_context* context, char* error,
                                   size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* CONCORD_PLUGIN_ABI_H_ */
