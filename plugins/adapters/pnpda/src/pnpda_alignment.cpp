#include "pnpda_alignment.hpp"

#include <ATen/ATen.h>

#include "calibrator_loss.hpp"

namespace concord::plugins::pnpda {

PnpdaAlignmentLoss::PnpdaAlignmentLoss(const PnpdaAlignmentOptions& options) : options_(options) {
  TORCH_CHECK(options.tau > 0.0, "pnpda alignment: tau must be > 0, got ", options.tau);
  TORCH_CHECK(options.weight >= 0.0, "pnpda alignment: weight must be >= 0, got ", options.weight);
}

LossTerms PnpdaAlignmentLoss::forward(Sender&, Receiver&, const at::Tensor&,
                                      const at::Tensor& message, const at::Tensor& target,
                                      const AlignmentGroundTruth& truth) {
  TORCH_CHECK(message.sizes() == target.sizes(), "pnpda alignment: message A(F_M) ",
              message.sizes(), " and target F_P ", target.sizes(), " must have one shape");
  // Concord [x, y, z, h, w, l, yaw] -> the calibrator's [x, y, z, l, w, h, yaw].
  const at::Tensor to_lwh = at::tensor({0, 1, 2, 5, 4, 3, 6}, at::kLong);
  std::vector<at::Tensor> boxes;
  boxes.reserve(truth.boxes.size());
  for (const at::Tensor& b : truth.boxes) {
    at::Tensor f = b.defined() ? b.to(at::kFloat).cpu() : at::zeros({0, 7});
    TORCH_CHECK(f.dim() == 2 && f.size(1) == 7, "pnpda alignment: boxes must be [M, 7], got ",
                f.sizes());
    boxes.push_back(f.index_select(1, to_lwh));
  }
  const at::Tensor contrastive =
      pnpda_contrastive_loss(target.to(at::kFloat), message.to(at::kFloat), boxes, truth.grid,
                             options_.tau, options_.max_cells);
  LossTerms terms;
  terms["contrastive"] = contrastive;
  terms["total"] = options_.weight * contrastive;
  return terms;
}

}  // namespace concord::plugins::pnpda
