#pragma once
/// \file
/// Concord's own version.

#include "concord/export.hpp"

namespace concord {

/// Project version "MAJOR.MINOR.PATCH" (from CMake's project()).
CONCORD_CORE_API const char* version();

}  // namespace concord
