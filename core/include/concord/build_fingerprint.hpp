#pragma once
/// \file
/// The build fingerprint a plugin and the host must share exactly: compiler and
/// version, libstdc++ dual ABI, LibTorch version, CUDA version (or "none") and
/// the core ABI major. Evaluated by the preprocessor in each translation unit,
/// so a plugin reports the flags it was really built with.
/// Source: reference/cpp-style-anchors.md §1.8 item 2.

#include <torch/version.h>

#include "concord/plugin_abi.h"

#define CONCORD_FP_STR2(x) #x
#define CONCORD_FP_STR(x) CONCORD_FP_STR2(x)

#if defined(__clang__)
#define CONCORD_FP_COMPILER \
  "clang-" CONCORD_FP_STR(__clang_major__) "." CONCORD_FP_STR(__clang_minor__)
#elif defined(__GNUC__)
#define CONCORD_FP_COMPILER                                                              \
  "gcc-" CONCORD_FP_STR(__GNUC__) "." CONCORD_FP_STR(__GNUC_MINOR__) "." CONCORD_FP_STR( \
      __GNUC_PATCHLEVEL__)
#else
#define CONCORD_FP_COMPILER "unknown-compiler"
#endif

#ifdef _GLIBCXX_USE_CXX11_ABI
#define CONCORD_FP_CXX11ABI CONCORD_FP_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define CONCORD_FP_CXX11ABI "n/a"
#endif

/// Set by CMake (-DCONCORD_CUDA_VERSION="12.1") for CUDA builds; "none" on CPU builds.
#ifndef CONCORD_CUDA_VERSION
#define CONCORD_CUDA_VERSION none
#endif

/// The fingerprint string, e.g. "gcc-12.2.0;cxx11abi=1;torch=1.13.0;cuda=none;core_abi=1".
#define CONCORD_BUILD_FINGERPRINT                              \
  CONCORD_FP_COMPILER                                          \
      ";cxx11abi=" CONCORD_FP_CXX11ABI ";torch=" TORCH_VERSION \
      ";cuda=" CONCORD_FP_STR(CONCORD_CUDA_VERSION) ";core_abi=" CONCORD_FP_STR(CONCORD_ABI_MAJOR)
