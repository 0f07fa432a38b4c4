#include "shared_trunk_negotiator.hpp"

#include <utility>

#include "local_checks.hpp"

namespace concord::plugins::negotiators {

Trunk::~Trunk() = default;

SharedTrunkNegotiator::SharedTrunkNegotiator(std::string who, std::shared_ptr<Trunk> trunk,
                                             int64_t channels, bool estimator_sigmoid)
    : who_(std::move(who)), channels_(channels) {
  TORCH_CHECK(trunk != nullptr, who_, " negotiator: no trunk");
  TORCH_CHECK(channels >= 1, who_, " negotiator: needs channels >= 1, got ", channels);
  trunk_ = register_module("trunk", std::move(trunk));
  estimator_ = register_module("estimator", Estimator(channels, estimator_sigmoid));
  shrink_ = register_module("shrink_header", ShrinkHeader(channels, channels));
}

SharedTrunkNegotiator::~SharedTrunkNegotiator() = default;

at::Tensor SharedTrunkNegotiator::forward(const std::vector<at::Tensor>& locals) {
  check_locals(locals, channels_, who_);
  std::vector<at::Tensor> weighted;
  weighted.reserve(locals.size());
  for (const at::Tensor& local : locals)
    weighted.push_back(estimator_->forward(trunk_->forward(local)));
  return shrink_->forward(mean_over_modalities(weighted));
}

}  // namespace concord::plugins::negotiators
