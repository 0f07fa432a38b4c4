#pragma once
/// \file
/// Validation of a negotiator's input: the list of per-modality local representations
/// (core/include/concord/modules/negotiator.hpp; reference sheet §1.4).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace concord::plugins::negotiators {

/// Checks that `locals` is a non-empty list of defined 4-d tensors [B, C, H, W] of one shape,
/// dtype and device, with C == `channels` when `channels` > 0 (any C when <= 0).
/// `who` names the negotiator in the messages. Throws c10::Error (TORCH_CHECK) otherwise.
void check_locals(const std::vector<at::Tensor>& locals, int64_t channels, const std::string& who);

}  // namespace concord::plugins::negotiators
