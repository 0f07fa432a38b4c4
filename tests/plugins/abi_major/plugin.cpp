// Test plugin: hand-written C descriptor declaring the next ABI major.
#include "concord/build_fingerprint.hpp"
#include "concord/plugin_abi.h"

namespace {
const concord_plugin_provide provides[] = {{"fusion", "abi_major", 1}};
const concord_plugin_descriptor descriptor = {sizeof(concord_plugin_descriptor),
                                              CONCORD_ABI_MAJOR + 1,
                                              0,
                                              "test_abi_major",
                                              "1.0.0",
                                              1,
                                              provides,
                                              CONCORD_BUILD_FINGERPRINT};
}  // namespace

CONCORD_PLUGIN_EXPORT const concord_plugin_descriptor* concord_plugin_descriptor_v1(void) {
  return &descriptor;
}
CONCORD_PLUGIN_EXPORT int concord_plugin_register_v1(concord_registrar*,
                                                     const concord_plugin_context*, char*, size_t) {
  return 0;
}
