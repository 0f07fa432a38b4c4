#pragma once
/// \file
/// Weight-only quantization for shipped checkpoints (`concord export --dtype
/// int8|int4`): symmetric, round-to-nearest, one fp16 scale per output row
/// (int8) or per group of `kInt4Group` consecutive weights of a row (int4).
/// Loading dequantizes back to fp32; activations are never quantized. The
/// scheme is the usual weight-only post-training quantization (e.g. LLM.int8 /
/// GPTQ storage without their calibration); AP before/after is in the README.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::pipeline {

/// Weights per int4 scale group along a row (the last dimensions flattened).
inline constexpr int64_t kInt4Group = 32;

/// A quantized weight: `codes` and `scales` as stored in the checkpoint.
struct QuantizedWeight {
  /// int8: kChar [rows, cols] (values in [-127, 127]); int4: kByte
  /// [rows, groups * kInt4Group / 2], two codes in [-8, 7] per byte (low nibble
  /// first, stored as code + 8).
  at::Tensor codes;
  /// kHalf [rows, 1] (int8) or [rows, groups] (int4); weight = code * scale.
  at::Tensor scales;
};

/// True when `w` is worth quantizing: floating point, ≥ 2 dims, ≥ 1024 values
/// (conv kernels and linear matrices; biases and norm parameters stay fp16).
bool quantizable(const at::Tensor& w);

/// Quantizes `w` (any floating dtype, shape [out, ...], rows = out) to `bits`
/// = 8 or 4. Throws std::invalid_argument for other `bits` or a tensor with
/// fewer than 2 dims.
QuantizedWeight quantize_weight(const at::Tensor& w, int bits);

/// Inverse of quantize_weight: fp32 tensor of shape `sizes`. Throws
/// std::invalid_argument when codes/scales do not fit `sizes` and `bits`.
at::Tensor dequantize_weight(const QuantizedWeight& q, int bits, at::IntArrayRef sizes);

}  // namespace concord::pipeline
