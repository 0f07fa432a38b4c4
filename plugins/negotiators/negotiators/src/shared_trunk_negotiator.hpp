#pragma once
/// \file
/// Skeleton of the non-FPN negotiators of the paper's Table 8 (ResMlp, ConvNeXt, Sparse
/// Transformer): the same eq. 9-13 pipeline with one full-resolution level. The official code
/// has none of them (reference sheet §1.4), so their layout is this port's design.

#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "concord/modules/negotiator.hpp"
#include "estimator.hpp"
#include "shrink_header.hpp"

namespace concord::plugins::negotiators {

/// A trunk shared by all modalities: [N, C, H, W] float32 -> [N, C, H, W] float32, any H, W >= 1.
class Trunk : public torch::nn::Module {
 public:
  ~Trunk() override;
  virtual at::Tensor forward(const at::Tensor& x) = 0;
};

/// P = shrink_header(mean_m(U^(m) ⊙ estimator(U^(m)))), U^(m) = trunk(local^(m)): eq. 9-11 with
/// a single level (so eq. 12's upsample and concat are the identity) and eq. 13's shrink header
/// (3x3 conv + ReLU, 3x3 conv + ReLU, C -> C), as in the FPN negotiator; P is non-negative.
class SharedTrunkNegotiator : public Negotiator {
 public:
  /// `who` names the negotiator in error messages; `trunk` maps C -> C channels.
  /// Throws c10::Error when channels < 1 or trunk is null.
  SharedTrunkNegotiator(std::string who, std::shared_ptr<Trunk> trunk, int64_t channels,
                        bool estimator_sigmoid);
  ~SharedTrunkNegotiator() override;
  /// locals: M >= 1 tensors [B, channels, H, W] float32 of one shape, on the common grid.
  /// Returns P [B, channels, H, W] float32. Throws c10::Error on an empty list, mismatched
  /// shapes or a wrong channel count.
  at::Tensor forward(const std::vector<at::Tensor>& locals) override;

 private:
  std::string who_;
  int64_t channels_;
  std::shared_ptr<Trunk> trunk_;
  Estimator estimator_{nullptr};
  ShrinkHeader shrink_{nullptr};
};

}  // namespace concord::plugins::negotiators
