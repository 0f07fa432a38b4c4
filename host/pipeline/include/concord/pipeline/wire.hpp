#pragma once
/// \file
/// The wire between agents: the precision a BEV message (a sender's output in
/// the common representation, or a raw local feature for naive sharing) travels
/// in, and what one message costs in bytes. Concord transmits dense maps, so a
/// message is [C, H, W] values (field-conventions.md §6: HEAL/STAMP report
/// bandwidth as the feature map's size, log2 of bytes).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace concord::pipeline {

/// Precision of a message on the wire.
enum class WireFormat { kFp32, kFp16, kBf16 };

/// "fp32" | "fp16" | "bf16" → WireFormat. Throws concord::ConfigError naming
/// `what` (e.g. "--wire") and the value otherwise.
WireFormat parse_wire_format(const std::string& text, const std::string& what);

/// "fp32" | "fp16" | "bf16".
std::string to_string(WireFormat format);

/// Bytes per value: 4 (fp32) or 2 (fp16, bf16).
int bytes_per_value(WireFormat format);

/// Bytes of one message of `channels` × `height` × `width` values (one agent-frame).
int64_t message_bytes(int64_t channels, int64_t height, int64_t width, WireFormat format);

/// What the receiver gets: `message` rounded to the wire precision and widened
/// back to its own dtype (fp32 on the wire returns `message` unchanged).
at::Tensor through_wire(const at::Tensor& message, WireFormat format);

}  // namespace concord::pipeline
