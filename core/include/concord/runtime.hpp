#pragma once
/// \file
/// Process-wide compute settings: ATen intra-op threads, OpenBLAS pinned to one
/// thread (its own pool would oversubscribe the cores ATen already uses),
/// flush-to-zero for denormals, and CPU feature detection for bf16 autocast.

#include <string>

#include "concord/export.hpp"

namespace concord {

/// What configure_runtime() set.
struct RuntimeInfo {
  int intra_op_threads = 1;
  int blas_threads = -1;  ///< -1 when OpenBLAS is not loaded
  bool flush_denormal = false;
  bool cpu_has_bf16 = false;  ///< AVX512-BF16 or AMX-BF16 present
  std::string blas;           ///< "openblas (...)" or "unknown"
};

/// Applies the settings. threads <= 0 means "all hardware threads".
CONCORD_CORE_API RuntimeInfo configure_runtime(int threads);

/// True when /proc/cpuinfo lists avx512_bf16 or amx_bf16.
CONCORD_CORE_API bool cpu_supports_bf16();

}  // namespace concord
