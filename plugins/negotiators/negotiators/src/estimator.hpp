#pragma once
/// \file
/// The negotiator's per-level estimator and the mean over modalities (NegoCollab eq. 10-11;
/// reference sheet §1.4).

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace concord::plugins::negotiators {

/// Estimator of one pyramid level (eq. 10): a 1x1 conv (C -> 1, with bias) giving the
/// importance matrix C_l^(m) [N, 1, H, W] of a level feature U_l^(m) [N, C, H, W] float32.
///
/// Departure from the official code: `keyfeat_modules.Negotiator` multiplies the feature by the
/// raw conv output (an unbounded, possibly negative logit; reference sheet §7 quirk 2). The
/// paper calls C_l^(m) a contribution weight, so with `sigmoid` true (the plugin default) the
/// logit goes through a sigmoid and the weight lies in (0, 1); `sigmoid` false reproduces the
/// official raw-logit product.
class EstimatorImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when channels < 1.
  EstimatorImpl(int64_t channels, bool sigmoid);
  /// The importance matrix C [N, 1, H, W] of `feature` [N, C, H, W].
  at::Tensor importance(const at::Tensor& feature);
  /// U ⊙ C: `feature` [N, C, H, W] weighted by its importance matrix (broadcast over C).
  at::Tensor forward(const at::Tensor& feature);

 private:
  torch::nn::Conv2d conv_{nullptr};
  bool sigmoid_;
};
TORCH_MODULE(Estimator);

/// Element-wise mean over modalities (eq. 11's sum / M): `features` is a non-empty list of
/// equally shaped tensors; returns one tensor of that shape. Summed in list order, so the result
/// is invariant to the modality order up to float rounding. Throws c10::Error on an empty list.
at::Tensor mean_over_modalities(const std::vector<at::Tensor>& features);

}  // namespace concord::plugins::negotiators
