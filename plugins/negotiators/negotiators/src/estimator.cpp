#include "estimator.hpp"

#include <ATen/ATen.h>

namespace concord::plugins::negotiators {

EstimatorImpl::EstimatorImpl(int64_t channels, bool sigmoid) : sigmoid_(sigmoid) {
  TORCH_CHECK(channels >= 1, "negotiator estimator: needs channels >= 1, got ", channels);
  conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 1, 1)));
}

at::Tensor EstimatorImpl::importance(const at::Tensor& feature) {
  at::Tensor logit = conv_->forward(feature);
  // Official code: the raw logit (no sigmoid); the paper's eq. 10 describes a weight.
  return sigmoid_ ? at::sigmoid(logit) : logit;
}

at::Tensor EstimatorImpl::forward(const at::Tensor& feature) {
  return feature * importance(feature);
}

at::Tensor mean_over_modalities(const std::vector<at::Tensor>& features) {
  TORCH_CHECK(!features.empty(), "negotiator: mean over an empty list of modalities");
  if (features.size() == 1) return features.front();
  return at::stack(features, 0).mean(0);
}

}  // namespace concord::plugins::negotiators
