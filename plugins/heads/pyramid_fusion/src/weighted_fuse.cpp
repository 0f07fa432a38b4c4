#include "weighted_fuse.hpp"

#include <ATen/ATen.h>

#include <numeric>

namespace concord::plugins::pyramid {

namespace {

void check_counts(int64_t rows, const std::vector<int64_t>& agents_per_sample) {
  TORCH_CHECK(!agents_per_sample.empty(), "pyramid fusion: agents_per_sample is empty");
  for (int64_t n : agents_per_sample) {
    TORCH_CHECK(n >= 1, "pyramid fusion: every sample needs at least one agent (the ego), got ", n);
  }
  const int64_t total =
      std::accumulate(agents_per_sample.begin(), agents_per_sample.end(), int64_t{0});
  TORCH_CHECK(total == rows, "pyramid fusion: agents_per_sample sums to ", total,
              " but the tensor holds ", rows, " agents");
}

}  // namespace

at::Tensor agent_weights(const at::Tensor& scores, const std::vector<int64_t>& agents_per_sample) {
  TORCH_CHECK(scores.defined() && scores.dim() == 4 && scores.size(1) == 1,
              "pyramid fusion: scores must be [N, 1, H, W], got ",
              scores.defined() ? scores.sizes() : at::IntArrayRef{});
  check_counts(scores.size(0), agents_per_sample);
  std::vector<at::Tensor> weights;
  weights.reserve(agents_per_sample.size());
  int64_t start = 0;
  for (int64_t n : agents_per_sample) {
    at::Tensor s = scores.narrow(0, start, n);
    // Shifting by the (detached) per-pixel maximum keeps exp() finite; excluded agents
    // (score 0) contribute 0 to the numerator and the denominator.
    at::Tensor shifted = s - std::get<0>(s.detach().max(0, /*keepdim=*/true));
    at::Tensor e = at::exp(shifted) * (s > 0).to(s.scalar_type());
    at::Tensor denom = e.sum(0, /*keepdim=*/true);
    weights.push_back(e / at::clamp_min(denom, 1e-30));
    start += n;
  }
  return at::cat(weights, 0);
}

at::Tensor weighted_fuse(const at::Tensor& features, const at::Tensor& scores,
                         const std::vector<int64_t>& agents_per_sample) {
  TORCH_CHECK(features.defined() && features.dim() == 4,
              "pyramid fusion: features must be [N, C, H, W], got ",
              features.defined() ? features.sizes() : at::IntArrayRef{});
  TORCH_CHECK(scores.defined() && scores.dim() == 4 && scores.size(0) == features.size(0) &&
                  scores.size(2) == features.size(2) && scores.size(3) == features.size(3),
              "pyramid fusion: scores must be [", features.size(0), ", 1, ", features.size(2), ", ",
              features.size(3), "] like the features, got ",
              scores.defined() ? scores.sizes() : at::IntArrayRef{});
  at::Tensor weighted = features * agent_weights(scores, agents_per_sample);
  std::vector<at::Tensor> fused;
  fused.reserve(agents_per_sample.size());
  int64_t start = 0;
  for (int64_t n : agents_per_sample) {
    fused.push_back(weighted.narrow(0, start, n).sum(0));
    start += n;
  }
  return at::stack(fused, 0);
}

}  // namespace concord::plugins::pyramid
