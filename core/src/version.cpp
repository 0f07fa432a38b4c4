#include "concord/version.hpp"

#ifndef CONCORD_VERSION
#define CONCORD_VERSION "0.0.0"
#endif

namespace concord {

const char* version() {
  return CONCORD_VERSION;
}

}  // namespace concord
