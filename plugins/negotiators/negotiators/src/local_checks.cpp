#include "local_checks.hpp"

#include <c10/util/Exception.h>

namespace concord::plugins::negotiators {

void check_locals(const std::vector<at::Tensor>& locals, int64_t channels, const std::string& who) {
  TORCH_CHECK(!locals.empty(), who,
              " negotiator: needs at least one local representation, got an empty list");
  const at::Tensor& first = locals.front();
  TORCH_CHECK(first.defined() && first.dim() == 4, who,
              " negotiator: local representations must be [B, C, H, W], modality 0 is ",
              first.defined() ? first.sizes() : at::IntArrayRef{});
  TORCH_CHECK(channels <= 0 || first.size(1) == channels, who, " negotiator: expected ", channels,
              " channels (the common representation's C), modality 0 has ", first.size(1));
  for (size_t m = 1; m < locals.size(); ++m) {
    const at::Tensor& x = locals[m];
    TORCH_CHECK(x.defined() && x.sizes() == first.sizes(), who,
                " negotiator: every modality must be resized to one common grid; modality 0 is ",
                first.sizes(), " but modality ", m, " is ",
                x.defined() ? x.sizes() : at::IntArrayRef{});
    TORCH_CHECK(x.scalar_type() == first.scalar_type() && x.device() == first.device(), who,
                " negotiator: modality ", m, " is ", x.scalar_type(), " on ", x.device(),
                ", modality 0 is ", first.scalar_type(), " on ", first.device());
  }
}

}  // namespace concord::plugins::negotiators
