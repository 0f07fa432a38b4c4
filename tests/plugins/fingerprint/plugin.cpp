// Test plugin: hand-written C descriptor built "with another toolchain".
#include "concord/build_fingerprint.hpp"
#include "concord/plugin_abi.h"

namespace {
const concord_plugin_provide provides[] = {{"fusion", "fingerprint", 1}};
const concord_plugin_descriptor descriptor = {
    sizeof(concord_plugin_descriptor),
    CONCORD_ABI_MAJOR,
    CONCORD_ABI_MINOR,
    "test_fingerprint",
    "1.0.0",
    1,
    provides,
    "gcc-0.0.0;cxx11abi=0;torch=0.0.0;cuda=none;core_abi=1"};
}  // namespace

CONCORD_PLUGIN_EXPORT const concord_plugin_descriptor* concord_plugin_descriptor_v1(void) {
  return &descriptor;
}
CONCORD_PLUGIN_EXPORT int concord_plugin_register_v1(concord_registrar*,
                                                     const concord_plugin_context*, char*, size_t) {
  return 0;
}
