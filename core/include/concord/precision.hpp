#pragma once
/// \file
/// Compute precision of forward passes: fp32, or bf16 through LibTorch's CPU
/// autocast (convolutions and matrix products in bf16, reductions and losses in
/// fp32), plus the channels_last memory format that makes oneDNN convolutions
/// fast on x86 (measured in the developers' guide: 95 → 144 GFLOP/s for a 3×3
/// conv, 569 with bf16 on an AMX CPU).

#include <torch/nn/module.h>

#include <string>

#include "concord/export.hpp"

namespace concord {

/// Numeric precision of a procedure's forward passes.
enum class Precision {
  kFp32,  ///< everything in float32
  kBf16,  ///< CPU autocast to bfloat16 (parameters, gradients and optimiser state stay fp32)
};

/// Parses "fp32" or "bf16". `where` names the file/key for the message.
/// Throws ConfigError naming `where`, the value and the accepted ones.
CONCORD_CORE_API Precision parse_precision(const std::string& value, const std::string& where);

/// "fp32" or "bf16".
CONCORD_CORE_API const char* to_string(Precision p);

/// RAII scope that enables CPU autocast to bf16 for kBf16 and does nothing for
/// kFp32; restores the previous state and clears autocast's weight cache on
/// exit (as torch.autocast.__exit__). Nestable. Not thread-safe across threads
/// (autocast state is thread-local in ATen).
class CONCORD_CORE_API AutocastScope {
 public:
  explicit AutocastScope(Precision p);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool prev_enabled_ = false;
  int prev_dtype_ = 0;
};

/// Converts every 4-D parameter and buffer of `module` (recursively) to the
/// channels_last memory format in place; values and shapes are unchanged, so
/// checkpoints stay interchangeable. Inputs then follow through the convolutions.
CONCORD_CORE_API void to_channels_last(torch::nn::Module& module);

}  // namespace concord
