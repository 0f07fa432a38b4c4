#include "mean_negotiator.hpp"

#include "estimator.hpp"
#include "local_checks.hpp"

namespace concord::plugins::negotiators {

at::Tensor MeanNegotiator::forward(const std::vector<at::Tensor>& locals) {
  check_locals(locals, /*channels=*/0, "mean");
  return mean_over_modalities(locals);
}

}  // namespace concord::plugins::negotiators
