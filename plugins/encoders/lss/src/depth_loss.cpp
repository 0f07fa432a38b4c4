#include "depth_loss.hpp"

#include <ATen/ATen.h>

#include <limits>

namespace concord::plugins::lss {

DepthTargets lid_depth_targets(const at::Tensor& depth_images, int64_t feat_h, int64_t feat_w,
                               int64_t stride, const LidBins& bins) {
  bins.check();
  TORCH_CHECK(depth_images.dim() == 3 && depth_images.is_floating_point(),
              "depth targets: depth_images must be [N, H, W] floating point (m), got ",
              depth_images.sizes(), " ", depth_images.scalar_type());
  TORCH_CHECK(stride >= 1, "depth targets: stride must be >= 1, got ", stride);
  const int64_t n = depth_images.size(0);
  const int64_t h = depth_images.size(1);
  const int64_t w = depth_images.size(2);
  TORCH_CHECK(feat_h == (h + stride - 1) / stride && feat_w == (w + stride - 1) / stride,
              "depth targets: feature map ", feat_h, "x", feat_w, " is not ceil(", h, "x", w, " / ",
              stride, ")");
  const double inf = std::numeric_limits<double>::infinity();
  at::Tensor d = depth_images.to(at::kFloat);
  d = at::where((d > 0) & at::isfinite(d), d, at::full_like(d, inf));
  // Pad the partial last patches with "no measurement", then take each patch's minimum.
  d = at::constant_pad_nd(d, {0, feat_w * stride - w, 0, feat_h * stride - h}, inf);
  at::Tensor nearest = d.view({n, feat_h, stride, feat_w, stride}).amin({2, 4});
  at::Tensor valid = at::isfinite(nearest);
  at::Tensor clamped =
      at::where(valid, nearest, at::full_like(nearest, bins.d_min)).clamp(bins.d_min, bins.d_max);
  return DepthTargets{lid_bin_index(clamped, bins), valid};
}

at::Tensor depth_focal_loss(const at::Tensor& depth_logits, const at::Tensor& depth_images,
                            const LidBins& bins, int64_t stride, double alpha, double gamma) {
  TORCH_CHECK(depth_logits.dim() == 4 && depth_logits.size(1) == bins.count,
              "depth loss: depth_logits must be [N, D, h, w] with D = ", bins.count, ", got ",
              depth_logits.sizes());
  TORCH_CHECK(depth_images.dim() == 3 && depth_images.size(0) == depth_logits.size(0),
              "depth loss: depth_images must be [N, H, W] with N = ", depth_logits.size(0),
              ", got ", depth_images.sizes());
  DepthTargets t = lid_depth_targets(depth_images.to(depth_logits.device()), depth_logits.size(2),
                                     depth_logits.size(3), stride, bins);
  at::Tensor log_p = at::log_softmax(depth_logits, 1);
  at::Tensor log_pt = log_p.gather(1, t.bins.unsqueeze(1)).squeeze(1);  // [N, h, w]
  at::Tensor focal = -alpha * at::pow(1.0 - log_pt.exp(), gamma) * log_pt;
  at::Tensor mask = t.valid.to(focal.scalar_type());
  return (focal * mask).sum() / mask.sum().clamp_min(1.0);
}

}  // namespace concord::plugins::lss
