#include "concord/pipeline/wire.hpp"

#include <ATen/ATen.h>

#include "concord/error.hpp"

namespace concord::pipeline {

WireFormat parse_wire_format(const std::string& text, const std::string& what) {
  if (text == "fp32") return WireFormat::kFp32;
  if (text == "fp16") return WireFormat::kFp16;
  if (text == "bf16") return WireFormat::kBf16;
  throw ConfigError(what + ": expected fp32, fp16 or bf16, got \"" + text + "\"");
}

std::string to_string(WireFormat format) {
  switch (format) {
    case WireFormat::kFp16:
      return "fp16";
    case WireFormat::kBf16:
      return "bf16";
    case WireFormat::kFp32:
      break;
  }
  return "fp32";
}

namespace {

// The dtype a message travels in; sizes and rounding both follow from it.
at::ScalarType wire_dtype(WireFormat format) {
  switch (format) {
    case WireFormat::kFp16:
      return at::kHalf;
    case WireFormat::kBf16:
      return at::kBFloat16;
    case WireFormat::kFp32:
      break;
  }
  return at::kFloat;
}

}  // namespace

int bytes_per_value(WireFormat format) {
  return static_cast<int>(c10::elementSize(wire_dtype(format)));
}

int64_t message_bytes(int64_t channels, int64_t height, int64_t width, WireFormat format) {
  return channels * height * width * bytes_per_value(format);
}

at::Tensor through_wire(const at::Tensor& message, WireFormat format) {
  if (format == WireFormat::kFp32) return message;
  return message.to(wire_dtype(format)).to(message.scalar_type());
}

}  // namespace concord::pipeline
