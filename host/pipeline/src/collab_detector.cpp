#include "concord/pipeline/collab_detector.hpp"

#include <ATen/ATen.h>

#include "concord/geometry/bev_warp.hpp"

namespace concord::pipeline {

namespace {

HeadOutput to_float(HeadOutput h) {
  h.cls = h.cls.to(at::kFloat);
  h.reg = h.reg.to(at::kFloat);
  if (h.dir.defined()) h.dir = h.dir.to(at::kFloat);
  return h;
}

}  // namespace

CollabDetector::CollabDetector(std::shared_ptr<Encoder> encoder, std::shared_ptr<Fusion> fusion,
                               std::shared_ptr<DetectionHead> head, BevGrid feature_grid)
    : encoder_(register_module("encoder", std::move(encoder))),
      fusion_(register_module("fusion", std::move(fusion))),
      head_(register_module("head", std::move(head))),
      grid_(feature_grid) {}

CollabDetector::Output CollabDetector::forward(const loader::CollabSample& sample,
                                               FusionMode mode) {
  TORCH_CHECK(!sample.agents.empty(), "collaborative sample without agents");
  Output out;
  {
    AutocastScope autocast(precision_);
    out = forward_impl(sample, mode);
  }
  if (precision_ != Precision::kFp32) {
    out.head = to_float(out.head);
    out.features = out.features.to(at::kFloat);
    out.fusion.fused = out.fusion.fused.to(at::kFloat);
    for (auto& o : out.fusion.occupancy) o = o.to(at::kFloat);
  }
  return out;
}

CollabDetector::Output CollabDetector::forward_impl(const loader::CollabSample& sample,
                                                    FusionMode mode) {
  Output out;
  const std::size_t n = mode == FusionMode::kNone ? 1 : sample.agents.size();
  std::vector<at::Tensor> features, transforms;
  for (std::size_t k = 0; k < n; ++k) {
    const auto& agent = sample.agents[k];
    EncoderOutput local = encoder_->forward(agent.input);
    at::Tensor bev = local.bev;
    out.local.push_back(std::move(local));
    TORCH_CHECK(bev.size(2) == grid_.height() && bev.size(3) == grid_.width(), "encoder output ",
                bev.sizes(), " does not match the feature grid ", grid_.str());
    features.push_back(bev);
    // warp_bev samples the source (agent) map: it needs T_agent<-ego.
    transforms.push_back(at::inverse(agent.ego_from_agent_noisy));
  }
  at::Tensor stacked = at::cat(features);
  at::Tensor src_from_dst = at::stack(transforms);
  if (n == 1) {
    out.features = stacked;  // the ego's own map needs no warp
  } else {
    out.features = warp_bev(stacked, src_from_dst, grid_);
  }
  FusionInput in{out.features,
                 {static_cast<int64_t>(n)},
                 n == 1 ? at::Tensor() : warp_bev_mask(src_from_dst, grid_)};
  out.fusion = fusion_->forward(in);
  out.head = head_->forward(out.fusion.fused);
  return out;
}

LossTerms CollabDetector::loss(const Output& out, const loader::CollabSample& sample) {
  LossTerms terms = head_->loss(out.head, {sample.gt_boxes});
  at::Tensor total = terms.at("total");
  for (std::size_t k = 0; k < out.local.size() && k < sample.agents.size(); ++k) {
    for (auto& [name, value] : encoder_->loss(out.local[k], sample.agents[k].input)) {
      at::Tensor v = value.to(at::kFloat);
      auto it = terms.find(name);
      terms[name] = it == terms.end() ? v : it->second + v;
      total = total + v;
    }
  }
  // The fusion's auxiliary terms (HEAL pyramid occupancy): each agent's occupancy logits
  // against its own labels, when every agent has them.
  bool own_labels = !out.fusion.occupancy.empty() && !out.local.empty();
  for (std::size_t k = 0; k < out.local.size() && own_labels; ++k) {
    own_labels = k < sample.agents.size() && sample.agents[k].own_gt_boxes.defined();
  }
  if (own_labels) {
    std::vector<at::Tensor> own;
    for (std::size_t k = 0; k < out.local.size(); ++k) own.push_back(sample.agents[k].own_gt_boxes);
    for (auto& [name, value] : fusion_->loss(out.fusion, head_->occupancy_labels(own))) {
      at::Tensor v = value.to(at::kFloat);
      auto it = terms.find(name);
      terms[name] = it == terms.end() ? v : it->second + v;
      total = total + v;
    }
  }
  terms["total"] = total;
  return terms;
}

at::Tensor CollabDetector::encode_native(const loader::AgentData& agent) {
  at::Tensor bev;
  {
    AutocastScope autocast(precision_);
    bev = encoder_->forward(agent.input).bev;
  }
  TORCH_CHECK(bev.size(2) == grid_.height() && bev.size(3) == grid_.width(), "encoder output ",
              bev.sizes(), " does not match the feature grid ", grid_.str());
  return bev;
}

at::Tensor CollabDetector::encode(const loader::AgentData& agent) {
  return encode_native(agent).to(at::kFloat);
}

HeadOutput CollabDetector::forward_single_bev(const at::Tensor& bev) {
  HeadOutput out;
  {
    AutocastScope autocast(precision_);
    out = head_->forward(fusion_->forward(FusionInput{bev, {1}, {}}).fused);
  }
  return precision_ == Precision::kFp32 ? out : to_float(out);
}

HeadOutput CollabDetector::forward_single(const loader::AgentData& agent) {
  return forward_single_bev(encode_native(agent));
}

}  // namespace concord::pipeline
