#include "max_fusion.hpp"

#include <ATen/ATen.h>

#include <limits>
#include <numeric>

namespace concord::plugins {

FusionOutput MaxFusion::forward(const FusionInput& input) {
  const at::Tensor& x = input.features;
  TORCH_CHECK(x.dim() == 4, "max fusion: features must be [N, C, H, W], got ", x.sizes());
  const int64_t total =
      std::accumulate(input.agents_per_sample.begin(), input.agents_per_sample.end(), int64_t{0});
  TORCH_CHECK(total == x.size(0), "max fusion: agents_per_sample sums to ", total,
              " but features hold ", x.size(0), " agents");
  at::Tensor masked = x;
  at::Tensor valid;
  if (input.valid.defined()) {
    TORCH_CHECK(input.valid.dim() == 4 && input.valid.size(0) == x.size(0) &&
                    input.valid.size(1) == 1 && input.valid.size(2) == x.size(2) &&
                    input.valid.size(3) == x.size(3),
                "max fusion: valid must be [N, 1, H, W] like features, got ", input.valid.sizes());
    valid = input.valid > 0.5;
    masked = x.masked_fill(valid.logical_not(), -std::numeric_limits<float>::infinity());
  }
  std::vector<at::Tensor> fused;
  int64_t start = 0;
  for (int64_t n : input.agents_per_sample) {
    TORCH_CHECK(n >= 1, "max fusion: every sample needs at least one agent (the ego)");
    at::Tensor m = std::get<0>(masked.narrow(0, start, n).max(0));
    if (valid.defined()) {
      at::Tensor covered = valid.narrow(0, start, n).any(0);  // [1, H, W]
      m = at::where(covered, m, at::zeros_like(m));
    }
    fused.push_back(m);
    start += n;
  }
  return FusionOutput{at::stack(fused), {}};
}

}  // namespace concord::plugins
