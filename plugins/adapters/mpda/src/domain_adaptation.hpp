#pragma once
/// \file
/// MPDA's adversarial domain adaptation (Xu et al., ICRA 2023, "Bridging the Domain Gap
/// for Multi-Agent Perception"; reference/other-methods.md §D "MPDA", official
/// `da_modules/gradient_layer.py` and `da_modules/classfier.py`): a gradient-reversal layer
/// and an image-level domain classifier whose binary cross-entropy the pipeline adds to the
/// detection loss. Minimising it trains the classifier to tell the domains apart while the
/// reversed gradient trains the adapter (resizer + cross-domain transformer) to fool it.
///
/// The classifier is not part of the sender/receiver plugin objects: the training pipeline
/// owns one DomainClassifier per adapted pair and links this plugin's
/// `concord_mpda_internals` library to call these functions.

#include <torch/csrc/autograd/custom_function.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace concord::plugins::mpda {

/// Gradient reversal (Ganin & Lempitsky 2015; MPDA `_GradientScalarLayer` with weight −λ):
/// forward is the identity (a copy of x, same shape and dtype), backward multiplies the
/// incoming gradient by −λ. No gradient flows to λ.
struct GradReverse : public torch::autograd::Function<GradReverse> {
  /// x: any shape and floating dtype. lambda: the reversal strength λ (>= 0 normally).
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            double lambda);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

/// GradReverse::apply(x, lambda): y = x, dL/dx = −lambda · dL/dy. Throws c10::Error when
/// x is undefined.
at::Tensor grad_reverse(const at::Tensor& x, double lambda);

/// Options of the domain classifier; defaults are the official DAImgHead(in_channels)
/// with GenComm's reversal weight −9.1 (λ = 9.1).
struct DomainClassifierOptions {
  int64_t in_channels = 64;  ///< C of the features to classify
  int64_t hidden = 512;      ///< width of the 1x1 hidden layer (official 512)
  double lambda = 9.1;       ///< gradient-reversal strength (official weight −9.1)
};

/// MPDA image-level domain classifier (official DAImgHead): x -> GradReverse(λ) -> 1x1 conv
/// C -> hidden (bias) -> ReLU -> 1x1 conv hidden -> 1 (bias). Weights ~ N(0, 0.001²),
/// biases 0 (official init). x [N, C, H, W] float32 BEV features, any frame -> per-cell
/// domain logits [N, 1, H, W] (sigmoid = probability of the *target* domain, see
/// domain_bce_loss). Trainable parameters: (C + 1)·hidden + hidden + 1; 33793 for C = 64.
class DomainClassifierImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count is < 1 or lambda is negative.
  explicit DomainClassifierImpl(const DomainClassifierOptions& options);
  /// Throws c10::Error when x is not [N, in_channels, H, W].
  at::Tensor forward(const at::Tensor& x);
  const DomainClassifierOptions& options() const { return options_; }

 private:
  DomainClassifierOptions options_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
};
TORCH_MODULE(DomainClassifier);

/// Binary cross-entropy with logits over every cell: source cells labelled 0, target cells
/// labelled 1, mean over all cells of both inputs together (so a domain with more cells
/// weighs more, as in the official single BCE over the stacked batch).
/// source_logits: [N, 1, H, W] (or any shape) float32 logits of source-domain features
/// (the ego's, or m0's in the "-P" setting); target_logits: any shape, the adapted
/// collaborator features' logits. Returns a 0-dim float32 tensor. Throws c10::Error when
/// both are empty.
at::Tensor domain_bce_loss(const at::Tensor& source_logits, const at::Tensor& target_logits);

/// The adversarial loss the pipeline adds to the detection loss:
/// domain_bce_loss(classifier(source), classifier(target)), with the gradient reversal
/// inside the classifier. source: [N, C, H, W] float32 features already in the target
/// space (the receiving agent's own local features), target: [M, C, H', W'] float32 adapted
/// collaborator features (MpdaReceiver output). Returns a 0-dim float32 tensor. Throws
/// c10::Error on a channel mismatch.
at::Tensor mpda_adversarial_loss(DomainClassifier& classifier, const at::Tensor& source,
                                 const at::Tensor& target);

}  // namespace concord::plugins::mpda
