#include "concord/precision.hpp"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>

#include "concord/error.hpp"

namespace concord {

Precision parse_precision(const std::string& value, const std::string& where) {
  if (value == "fp32") return Precision::kFp32;
  if (value == "bf16") return Precision::kBf16;
  throw ConfigError(where + ": precision \"" + value + "\" is not one of fp32, bf16");
}

const char* to_string(Precision p) {
  return p == Precision::kBf16 ? "bf16" : "fp32";
}

AutocastScope::AutocastScope(Precision p) : active_(p == Precision::kBf16) {
  if (!active_) return;
  prev_enabled_ = at::autocast::is_cpu_enabled();
  prev_dtype_ = static_cast<int>(at::autocast::get_autocast_cpu_dtype());
  at::autocast::set_cpu_enabled(true);
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_cpu_enabled(prev_enabled_);
  at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(prev_dtype_));
}

void to_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters(/*recurse=*/true)) {
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
  for (auto& b : module.buffers(/*recurse=*/true)) {
    if (b.dim() == 4) b.set_data(b.contiguous(at::MemoryFormat::ChannelsLast));
  }
}

}  // namespace concord
