#include <ATen/ATen.h>

#include <cmath>

#include "concord/negocollab/losses.hpp"

namespace concord::negocollab {

namespace {

void check_pair(const at::Tensor& x, const at::Tensor& y, const char* what) {
  TORCH_CHECK(x.dim() == 4 && x.sizes() == y.sizes(), what, ": expected two [B, C, H, W] tensors ",
              "of one shape, got ", x.sizes(), " and ", y.sizes());
}

}  // namespace

at::Tensor distribution_loss(const at::Tensor& x, const at::Tensor& y, double std_weight) {
  check_pair(x, y, "distribution_loss");
  const at::Tensor xf = x.to(at::kFloat), yf = y.to(at::kFloat);
  const at::Tensor mean_term = (xf - yf).pow(2).mean({2, 3}).sum(1).mean();
  const at::Tensor sx = (xf.var({2, 3}, /*unbiased=*/true) + 1e-4).sqrt();
  const at::Tensor sy = (yf.var({2, 3}, /*unbiased=*/true) + 1e-4).sqrt();
  const at::Tensor std_term = ((sx - sy).pow(2) + 1e-4).sqrt().sum(1).mean();
  return mean_term + std_weight * std_term;
}

at::Tensor cycle_loss(const at::Tensor& local, const at::Tensor& reconstructed, double std_weight) {
  return distribution_loss(local, reconstructed, std_weight);
}

at::Tensor unify_distribution_loss(const at::Tensor& common, const at::Tensor& sent,
                                   double std_weight) {
  return distribution_loss(common, sent, std_weight);
}

at::Tensor box_keypoints(const at::Tensor& boxes) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 7, "box_keypoints: boxes must be [M, 7], got ",
              boxes.sizes());
  const at::Tensor b = boxes.to(at::kFloat);
  const at::Tensor l = b.select(1, 5) / 2, w = b.select(1, 4) / 2, yaw = b.select(1, 6);
  // Box-frame corners (x along the heading): (+l, +w), (+l, −w), (−l, −w), (−l, +w).
  const at::Tensor cx = at::stack({l, l, -l, -l}, 1);  // [M, 4]
  const at::Tensor cy = at::stack({w, -w, -w, w}, 1);
  const at::Tensor c = at::cos(yaw).unsqueeze(1), s = at::sin(yaw).unsqueeze(1);
  const at::Tensor x = cx * c - cy * s + b.select(1, 0).unsqueeze(1);
  const at::Tensor y = cx * s + cy * c + b.select(1, 1).unsqueeze(1);
  const at::Tensor corners = at::stack({x, y}, 2);  // [M, 4, 2]
  const at::Tensor centre = corners.mean(1, true);  // [M, 1, 2]
  const at::Tensor next = corners.roll(-1, 1);      // c1, c2, c3, c0
  const at::Tensor mids = (corners + next) / 2;     // c0c1, c1c2, c2c3, c3c0
  return at::cat({corners, centre, mids}, 1);       // [M, 9, 2]
}

at::Tensor structural_loss(const at::Tensor& student, const at::Tensor& teacher,
                           const std::vector<at::Tensor>& boxes, const BevGrid& grid) {
  check_pair(student, teacher, "structural_loss");
  TORCH_CHECK(static_cast<int64_t>(boxes.size()) == student.size(0),
              "structural_loss: ", boxes.size(), " box sets for a batch of ", student.size(0));
  const int64_t h = student.size(2), w = student.size(3);
  TORCH_CHECK(h == grid.height() && w == grid.width(), "structural_loss: features ", h, "x", w,
              " do not match the grid ", grid.str());
  at::Tensor total = (student.sum() + teacher.sum()) * 0.0;  // keeps the graph with no box
  int64_t count = 0;
  std::vector<at::Tensor> sums;
  for (size_t b = 0; b < boxes.size(); ++b) {
    if (!boxes[b].defined() || boxes[b].size(0) == 0) continue;
    const at::Tensor kp = box_keypoints(boxes[b].to(student.device()));  // [M, 9, 2]
    const int64_t m = kp.size(0);
    // Metres → grid_sample coordinates (align_corners false: −1 and 1 are the map's
    // outer edges): x along W, y along H.
    const at::Tensor gx = (kp.select(2, 0) - grid.x_min) / (grid.x_max - grid.x_min) * 2 - 1;
    const at::Tensor gy = (kp.select(2, 1) - grid.y_min) / (grid.y_max - grid.y_min) * 2 - 1;
    const at::Tensor g = at::stack({gx, gy}, 2).view({1, 1, m * 9, 2}).to(at::kFloat);
    auto sample = [&](const at::Tensor& f) {
      at::Tensor v = at::grid_sampler(f.narrow(0, static_cast<int64_t>(b), 1).to(at::kFloat), g,
                                      /*bilinear*/ 0, /*zeros*/ 0, /*align_corners=*/false);
      v = v.view({f.size(1), m, 9}).permute({1, 2, 0});  // [M, 9, C]
      return v / (v.norm(2, -1, true) + 1e-4);
    };
    const at::Tensor s = sample(student), t = sample(teacher);
    const at::Tensor tt = at::bmm(t, t.transpose(1, 2));  // [M, 9, 9]
    const at::Tensor ss = at::bmm(s, s.transpose(1, 2));
    const at::Tensor st = at::bmm(s, t.transpose(1, 2));
    sums.push_back((ss - tt).abs().mean({1, 2}).sum() + (st - tt).abs().mean({1, 2}).sum());
    count += m;
  }
  if (count == 0) return total;
  return total + at::stack(sums).sum() / static_cast<double>(count);
}

at::Tensor pragmatic_loss(const at::Tensor& logits, const at::Tensor& labels) {
  TORCH_CHECK(logits.dim() == 4 && logits.size(1) == 1 && logits.sizes() == labels.sizes(),
              "pragmatic_loss: expected logits and labels [B, 1, H, W], got ", logits.sizes(),
              " and ", labels.sizes());
  const at::Tensor x = logits.to(at::kFloat);
  const at::Tensor lab = labels.to(x.options());
  const at::Tensor pos = (lab == 1).to(at::kFloat), neg = (lab == 0).to(at::kFloat);
  const double alpha = 0.25, gamma = 2.0;
  const at::Tensor p = at::sigmoid(x);
  const at::Tensor ce = at::binary_cross_entropy_with_logits(x, pos, {}, {}, at::Reduction::None);
  const at::Tensor p_t = p * pos + (1 - p) * (1 - pos);
  const at::Tensor alpha_t = alpha * pos + (1 - alpha) * (1 - pos);
  const at::Tensor focal = alpha_t * (1 - p_t).pow(gamma) * ce;
  const at::Tensor norm = pos.sum({1, 2, 3}, true).clamp_min(1.0);
  const at::Tensor weights = (2.0 * pos + neg) / norm;
  return (focal * weights).sum() / static_cast<double>(x.size(0));
}

}  // namespace concord::negocollab
