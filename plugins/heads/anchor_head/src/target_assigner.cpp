#include "target_assigner.hpp"

#include <ATen/ATen.h>

#include "box_coder.hpp"

namespace concord::plugins::anchor_head {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

at::Tensor standup_bev(const at::Tensor& boxes) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 7, "standup_bev: expected [N, 7], got ",
              boxes.sizes());
  const at::Tensor c = at::abs(at::cos(boxes.select(1, 6)));
  const at::Tensor s = at::abs(at::sin(boxes.select(1, 6)));
  const at::Tensor half_l = boxes.select(1, 5) * 0.5;
  const at::Tensor half_w = boxes.select(1, 4) * 0.5;
  // Half extents of a footprint l x w (l along the heading) rotated by yaw.
  const at::Tensor ex = c * half_l + s * half_w;
  const at::Tensor ey = s * half_l + c * half_w;
  const at::Tensor x = boxes.select(1, 0);
  const at::Tensor y = boxes.select(1, 1);
  return at::stack({x - ex, y - ey, x + ex, y + ey}, 1);
}

at::Tensor standup_iou(const at::Tensor& a, const at::Tensor& b, double extent_offset) {
  TORCH_CHECK(a.dim() == 2 && a.size(1) == 4 && b.dim() == 2 && b.size(1) == 4,
              "standup_iou: expected [N, 4] and [M, 4], got ", a.sizes(), " and ", b.sizes());
  const auto extent = [extent_offset](const at::Tensor& t, int64_t lo, int64_t hi) {
    return t.select(1, hi) - t.select(1, lo) + extent_offset;
  };
  const at::Tensor area_a = (extent(a, 0, 2) * extent(a, 1, 3)).unsqueeze(1);  // [N, 1]
  const at::Tensor area_b = (extent(b, 0, 2) * extent(b, 1, 3)).unsqueeze(0);  // [1, M]
  const auto overlap = [&](int64_t lo, int64_t hi) {
    const at::Tensor right =
        at::minimum(a.select(1, hi).unsqueeze(1), b.select(1, hi).unsqueeze(0));
    const at::Tensor left = at::maximum(a.select(1, lo).unsqueeze(1), b.select(1, lo).unsqueeze(0));
    return (right - left + extent_offset).clamp_min(0.0);
  };
  const at::Tensor inter = overlap(0, 2) * overlap(1, 3);  // [N, M]
  return inter / (area_a + area_b - inter);
}

at::Tensor direction_bins(const at::Tensor& yaw, double dir_offset, int64_t num_bins) {
  TORCH_CHECK(num_bins >= 1, "direction_bins: num_bins must be >= 1, got ", num_bins);
  const double bin = 2.0 * kPi / static_cast<double>(num_bins);
  const at::Tensor rot = limit_period(yaw - dir_offset, 0.0, 2.0 * kPi);
  return at::floor(rot / bin).to(at::kLong).clamp(0, num_bins - 1);
}

AnchorTargets assign_targets(const at::Tensor& anchors, const at::Tensor& gt_boxes,
                             const AssignerOptions& options) {
  TORCH_CHECK(anchors.dim() == 2 && anchors.size(1) == 7,
              "assign_targets: anchors must be [N, 7], got ", anchors.sizes());
  TORCH_CHECK(gt_boxes.dim() == 2 && gt_boxes.size(1) == 7,
              "assign_targets: gt_boxes must be [M, 7], got ", gt_boxes.sizes());
  TORCH_CHECK(options.neg_iou <= options.pos_iou, "assign_targets: neg_iou ", options.neg_iou,
              " exceeds pos_iou ", options.pos_iou);
  const int64_t n = anchors.size(0);
  const int64_t m = gt_boxes.size(0);
  const auto long_opts = anchors.options().dtype(at::kLong);

  AnchorTargets t;
  if (m == 0) {
    t.positive = at::zeros({n}, anchors.options().dtype(at::kBool));
    t.negative = at::ones({n}, anchors.options().dtype(at::kBool));
    t.matched_gt = at::full({n}, -1, long_opts);
    t.reg = at::zeros({n, 7}, anchors.options());
    t.dir = at::zeros({n}, long_opts);
    return t;
  }

  const at::Tensor iou = standup_iou(standup_bev(anchors), standup_bev(gt_boxes),
                                     options.iou_extent_offset);  // [N, M]
  const auto [max_iou, best_gt] = iou.max(1);                     // per anchor
  const auto [gt_best_iou, best_anchor] = iou.max(0);             // per GT

  at::Tensor positive = max_iou > options.pos_iou;
  at::Tensor matched = best_gt.clone();
  // Each GT's best anchor is positive too when it overlaps at all; it keeps its
  // threshold match when it already has one.
  const at::Tensor has_overlap = gt_best_iou > 0.0;
  const at::Tensor forced_anchor = best_anchor.masked_select(has_overlap);
  const at::Tensor forced_gt = at::arange(m, long_opts).masked_select(has_overlap);
  const at::Tensor newly = positive.index_select(0, forced_anchor).logical_not();
  matched.index_put_({forced_anchor.masked_select(newly)}, forced_gt.masked_select(newly));
  positive.index_put_({forced_anchor}, true);

  t.positive = positive;
  t.negative = (max_iou < options.neg_iou).logical_and(positive.logical_not());
  t.matched_gt = at::where(positive, matched, at::full({}, -1, long_opts));
  const at::Tensor gt_of_anchor = gt_boxes.index_select(0, matched);  // [N, 7]
  t.reg = at::where(positive.unsqueeze(1), encode_boxes(gt_of_anchor, anchors),
                    at::zeros({}, anchors.options()));
  t.dir = at::where(
      positive, direction_bins(gt_of_anchor.select(1, 6), options.dir_offset, options.num_dir_bins),
      at::zeros({}, long_opts));
  return t;
}

}  // namespace concord::plugins::anchor_head
