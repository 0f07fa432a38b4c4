#include "anchor_head.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <cmath>

#include "box_coder.hpp"
#include "concord/error.hpp"
#include "losses.hpp"

namespace concord::plugins {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kDirBins = 2;  // the dir branch has 2 logits per anchor

torch::nn::Conv2d conv1x1(int64_t in, int64_t out) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1));
}

/// [B, K * A, H, W] -> [B, H * W * A, K] (OpenCOOD's permute(0, 2, 3, 1).view).
at::Tensor per_anchor(const at::Tensor& map, int64_t k) {
  return map.permute({0, 2, 3, 1}).reshape({map.size(0), -1, k});
}
}  // namespace

AnchorHead::AnchorHead(const AnchorHeadOptions& options) : options_(options) {
  options_.assigner.num_dir_bins = kDirBins;
  if (options_.assigner.neg_iou > options_.assigner.pos_iou) {
    throw ConfigError("anchor head: neg_iou " + std::to_string(options_.assigner.neg_iou) +
                      " exceeds pos_iou " + std::to_string(options_.assigner.pos_iou));
  }
  try {
    std::tie(rows_, cols_) = anchor_head::grid_size(options_.anchors);
    anchors_ = anchor_head::make_anchors(options_.anchors).view({-1, 7});
  } catch (const c10::Error& e) {
    throw ConfigError(std::string("anchor head: ") + e.what_without_backtrace());
  }
  const int64_t a = options_.anchors.anchors_per_cell;
  cls_ = register_module("cls_head", conv1x1(options_.in_channels, a));
  reg_ = register_module("reg_head", conv1x1(options_.in_channels, 7 * a));
  if (options_.direction) {
    dir_ = register_module("dir_head", conv1x1(options_.in_channels, kDirBins * a));
  }
  const double p = options_.prior_probability;
  torch::NoGradGuard no_grad;
  torch::nn::init::constant_(cls_->bias, -std::log((1.0 - p) / p));
}

HeadOutput AnchorHead::forward(const at::Tensor& bev) {
  TORCH_CHECK(bev.dim() == 4 && bev.size(1) == options_.in_channels, "anchor head: expected [B, ",
              options_.in_channels, ", H, W], got ", bev.sizes());
  HeadOutput out;
  out.cls = cls_->forward(bev);
  out.reg = reg_->forward(bev);
  if (dir_) out.dir = dir_->forward(bev);
  return out;
}

int64_t AnchorHead::check_outputs(const HeadOutput& out) const {
  const int64_t a = options_.anchors.anchors_per_cell;
  TORCH_CHECK(out.cls.defined() && out.cls.dim() == 4 && out.cls.size(1) == a &&
                  out.cls.size(2) == rows_ && out.cls.size(3) == cols_,
              "anchor head: cls must be [B, ", a, ", ", rows_, ", ", cols_,
              "] (the grid of x/y range and cell_size), got ",
              out.cls.defined() ? out.cls.sizes() : at::IntArrayRef{});
  const int64_t b = out.cls.size(0);
  TORCH_CHECK(out.reg.defined() && out.reg.sizes() == at::IntArrayRef({b, 7 * a, rows_, cols_}),
              "anchor head: reg must be [", b, ", ", 7 * a, ", ", rows_, ", ", cols_, "], got ",
              out.reg.defined() ? out.reg.sizes() : at::IntArrayRef{});
  if (dir_) {
    TORCH_CHECK(
        out.dir.defined() && out.dir.sizes() == at::IntArrayRef({b, kDirBins * a, rows_, cols_}),
        "anchor head: dir must be [", b, ", ", kDirBins * a, ", ", rows_, ", ", cols_, "], got ",
        out.dir.defined() ? out.dir.sizes() : at::IntArrayRef{});
  }
  return b;
}

const at::Tensor& AnchorHead::anchors_on(const at::Device& device) {
  if (!anchors_device_.defined() || anchors_device_.device() != device) {
    anchors_device_ = anchors_.to(device);
  }
  return anchors_device_;
}

LossTerms AnchorHead::loss(const HeadOutput& out, const std::vector<at::Tensor>& gt_boxes) {
  const int64_t b = check_outputs(out);
  TORCH_CHECK(static_cast<int64_t>(gt_boxes.size()) == b, "anchor head: ", gt_boxes.size(),
              " GT tensors for a batch of ", b);
  const at::Tensor& anchors = anchors_on(out.cls.device());
  const auto float_opts = out.cls.options().dtype(at::kFloat);

  // Targets: one assignment per sample (vectorised over anchors), no gradient.
  std::vector<at::Tensor> pos, neg, reg_t, dir_t;
  {
    at::NoGradGuard no_grad;
    for (int64_t i = 0; i < b; ++i) {
      const at::Tensor& g = gt_boxes[static_cast<size_t>(i)];
      at::Tensor gt =
          g.defined() && g.numel() > 0 ? g.to(float_opts) : at::zeros({0, 7}, float_opts);
      TORCH_CHECK(gt.dim() == 2 && gt.size(1) == 7, "anchor head: gt_boxes[", i,
                  "] must be [M, 7], got ", g.sizes());
      auto t = anchor_head::assign_targets(anchors, gt, options_.assigner);
      pos.push_back(t.positive.to(at::kFloat));
      neg.push_back(t.negative.to(at::kFloat));
      reg_t.push_back(t.reg);
      dir_t.push_back(t.dir);
    }
  }
  const at::Tensor positives = at::stack(pos);                          // [B, N]
  const at::Tensor negatives = at::stack(neg);                          // [B, N]
  const at::Tensor normalizer = positives.sum(1, true).clamp_min(1.0);  // [B, 1]
  const double batch = static_cast<double>(b);
  const AnchorLossOptions& lo = options_.loss;

  LossTerms terms;
  const at::Tensor cls_pred = per_anchor(out.cls, 1).squeeze(-1).to(at::kFloat);  // [B, N]
  const at::Tensor cls_w = (positives * lo.pos_cls_weight + negatives) / normalizer;
  terms["cls"] =
      (anchor_head::sigmoid_focal_loss(cls_pred, positives, lo.focal_alpha, lo.focal_gamma) * cls_w)
          .sum() *
      (lo.cls_weight / batch);

  const at::Tensor reg_w = positives / normalizer;                    // [B, N]
  const at::Tensor reg_pred = per_anchor(out.reg, 7).to(at::kFloat);  // [B, N, 7]
  const auto [p_enc, t_enc] = anchor_head::add_sin_difference(reg_pred, at::stack(reg_t));
  terms["reg"] =
      (anchor_head::smooth_l1(p_enc, t_enc, lo.smooth_l1_sigma) * reg_w.unsqueeze(-1)).sum() *
      (lo.reg_weight / batch);

  if (dir_) {
    const at::Tensor dir_logits = per_anchor(out.dir, kDirBins).to(at::kFloat);  // [B, N, 2]
    terms["dir"] =
        (anchor_head::softmax_cross_entropy(dir_logits, at::stack(dir_t)) * reg_w).sum() *
        (lo.dir_weight / batch);
  } else {
    terms["dir"] = at::zeros({}, float_opts);
  }
  terms["total"] = terms["cls"] + terms["reg"] + terms["dir"];
  return terms;
}

at::Tensor AnchorHead::occupancy_labels(const std::vector<at::Tensor>& gt_boxes) {
  at::NoGradGuard no_grad;
  const int64_t a = options_.anchors.anchors_per_cell;
  std::vector<at::Tensor> labels;
  for (size_t i = 0; i < gt_boxes.size(); ++i) {
    const at::Tensor& g = gt_boxes[i];
    const at::Device device = g.defined() ? g.device() : at::Device(at::kCPU);
    const at::Tensor& anchors = anchors_on(device);
    const auto opts = anchors.options();
    at::Tensor gt = g.defined() && g.numel() > 0 ? g.to(opts) : at::zeros({0, 7}, opts);
    TORCH_CHECK(gt.dim() == 2 && gt.size(1) == 7, "anchor head: gt_boxes[", i,
                "] must be [M, 7], got ", gt.sizes());
    const auto t = anchor_head::assign_targets(anchors, gt, options_.assigner);
    // Anchors are laid out [H, W, A] (make_anchors).
    const at::Tensor pos = t.positive.view({rows_, cols_, a}).any(-1);
    const at::Tensor neg = t.negative.view({rows_, cols_, a}).all(-1);
    at::Tensor cell = at::full({rows_, cols_}, -1.0f, opts);
    cell.masked_fill_(neg, 0.0f);
    cell.masked_fill_(pos, 1.0f);
    labels.push_back(cell.unsqueeze(0));
  }
  TORCH_CHECK(!labels.empty(), "anchor head: occupancy_labels needs at least one sample");
  return at::stack(labels);
}

std::vector<Detections> AnchorHead::decode(const HeadOutput& out, double score_threshold) {
  const int64_t b = check_outputs(out);
  const double threshold = score_threshold < 0.0 ? options_.score_threshold : score_threshold;
  at::NoGradGuard no_grad;
  const at::Tensor& anchors = anchors_on(out.cls.device());
  const at::Tensor scores = at::sigmoid(per_anchor(out.cls, 1).squeeze(-1).to(at::kFloat));
  const at::Tensor deltas = per_anchor(out.reg, 7).to(at::kFloat);  // [B, N, 7]
  at::Tensor dir_bins;
  if (dir_) dir_bins = per_anchor(out.dir, kDirBins).argmax(-1);  // [B, N]

  std::vector<Detections> result;
  result.reserve(static_cast<size_t>(b));
  const double period = 2.0 * kPi / static_cast<double>(kDirBins);
  const double offset = options_.assigner.dir_offset;
  for (int64_t i = 0; i < b; ++i) {
    const at::Tensor keep = (scores[i] > threshold).nonzero().squeeze(1);  // [K] int64
    Detections d;
    d.scores = scores[i].index_select(0, keep);
    d.boxes =
        anchor_head::decode_boxes(deltas[i].index_select(0, keep), anchors.index_select(0, keep));
    if (dir_ && d.boxes.size(0) > 0) {
      const at::Tensor bins = dir_bins[i].index_select(0, keep).to(at::kFloat);
      const at::Tensor yaw = anchor_head::limit_period(d.boxes.select(1, 6) - offset, 0.0, period) +
                             offset + period * bins;
      d.boxes.select(1, 6).copy_(anchor_head::limit_period(yaw, 0.5, 2.0 * kPi));
    }
    result.push_back(std::move(d));
  }
  return result;
}

}  // namespace concord::plugins
