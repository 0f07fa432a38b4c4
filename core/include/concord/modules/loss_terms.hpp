#pragma once
/// \file
/// Named scalar loss terms returned by modules' loss functions.

#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace concord {

/// Named scalar float32 loss terms (e.g. "cls", "reg", "dir", "depth",
/// "occupancy"). A head's map also holds "total", the weighted sum of its terms;
/// auxiliary maps (encoder, fusion) hold already-weighted terms, no "total".
using LossTerms = std::map<std::string, at::Tensor>;

}  // namespace concord
