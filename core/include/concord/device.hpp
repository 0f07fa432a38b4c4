#pragma once
/// \file
/// Run-time device selection (`--device cpu|cuda[:N]`).

#include <c10/core/Device.h>

#include <string>

#include "concord/export.hpp"

namespace concord {

/// Parses "cpu", "cuda" or "cuda:N". Throws ConfigError naming the value when
/// it is malformed, when CUDA is requested but this LibTorch has no CUDA or no
/// GPU is visible, or when N is not a visible device index.
CONCORD_CORE_API c10::Device parse_device(const std::string& text);

}  // namespace concord
