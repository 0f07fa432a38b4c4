#pragma once
/// \file
/// Cost accounting of adapter plugins (issue 6: "each reports its trainable parameter
/// count and the bytes it puts on the wire per frame"). Header-only, shared by the
/// baseline adapters (mpda, pnpda, stamp); usable from the host on any torch::nn::Module.

#include <ATen/ATen.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>

#include <cstdint>

namespace concord::adapters {

/// Number of scalar parameters of `module` (recursively) with requires_grad() set.
/// Frozen parameters and buffers are not counted.
inline int64_t trainable_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) {
    if (p.requires_grad()) n += p.numel();
  }
  return n;
}

/// Bytes that `message` occupies on the wire when sent at `wire_dtype`:
/// message.numel() x elementSize(wire_dtype), independent of the tensor's own dtype
/// (e.g. at::kFloat -> 4 bytes per element, at::kBFloat16 / at::kHalf -> 2).
/// message: any shape, usually [B, C, H, W]; the whole tensor is counted, so pass one
/// agent-frame ([1, C, H, W]) or use wire_bytes_per_frame. No headers or compression.
/// Throws c10::Error for a dtype without a fixed element size (e.g. undefined).
inline int64_t wire_bytes(const at::Tensor& message, at::ScalarType wire_dtype) {
  TORCH_CHECK(message.defined(), "wire_bytes: undefined message");
  return message.numel() * static_cast<int64_t>(c10::elementSize(wire_dtype));
}

/// Bytes per agent-frame of a batched message [B, ...]: wire_bytes(message) / B.
/// Throws c10::Error when message has no batch axis or B == 0.
inline int64_t wire_bytes_per_frame(const at::Tensor& message, at::ScalarType wire_dtype) {
  TORCH_CHECK(message.defined() && message.dim() >= 1 && message.size(0) > 0,
              "wire_bytes_per_frame: expected a message [B, ...] with B >= 1");
  return wire_bytes(message, wire_dtype) / message.size(0);
}

}  // namespace concord::adapters
