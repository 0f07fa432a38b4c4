#include "losses.hpp"

#include <ATen/ATen.h>

namespace concord::plugins::anchor_head {

at::Tensor sigmoid_focal_loss(const at::Tensor& logits, const at::Tensor& targets, double alpha,
                              double gamma) {
  const at::Tensor t = targets.to(logits.scalar_type());
  const at::Tensor ce = logits.clamp_min(0.0) - logits * t + at::log1p(at::exp(-at::abs(logits)));
  const at::Tensor p = at::sigmoid(logits);
  const at::Tensor p_t = t * p + (1.0 - t) * (1.0 - p);
  const at::Tensor alpha_t = t * alpha + (1.0 - t) * (1.0 - alpha);
  return at::pow(1.0 - p_t, gamma) * alpha_t * ce;
}

at::Tensor smooth_l1(const at::Tensor& pred, const at::Tensor& target, double sigma) {
  const double s2 = sigma * sigma;
  const at::Tensor abs_diff = at::abs(pred - target);
  return at::where(abs_diff <= 1.0 / s2, 0.5 * s2 * abs_diff * abs_diff, abs_diff - 0.5 / s2);
}

std::pair<at::Tensor, at::Tensor> add_sin_difference(const at::Tensor& pred,
                                                     const at::Tensor& target) {
  TORCH_CHECK(pred.dim() >= 1 && pred.size(-1) == 7 && target.dim() >= 1 && target.size(-1) == 7,
              "add_sin_difference: expected [..., 7], got ", pred.sizes(), " and ", target.sizes());
  const at::Tensor p6 = pred.narrow(-1, 6, 1);
  const at::Tensor t6 = target.narrow(-1, 6, 1);
  return {at::cat({pred.narrow(-1, 0, 6), at::sin(p6) * at::cos(t6)}, -1),
          at::cat({target.narrow(-1, 0, 6), at::cos(p6) * at::sin(t6)}, -1)};
}

at::Tensor softmax_cross_entropy(const at::Tensor& logits, const at::Tensor& labels) {
  return -at::log_softmax(logits, -1).gather(-1, labels.unsqueeze(-1)).squeeze(-1);
}

}  // namespace concord::plugins::anchor_head
