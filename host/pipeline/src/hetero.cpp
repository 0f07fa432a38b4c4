#include "concord/pipeline/hetero.hpp"

#include <ATen/ATen.h>

#include <functional>

#include "concord/error.hpp"
#include "concord/geometry/bev_warp.hpp"
#include "concord/loader/box_frames.hpp"

namespace concord::pipeline {

std::string to_string(HeteroMode mode) {
  switch (mode) {
    case HeteroMode::kNoFusion:
      return "no_fusion";
    case HeteroMode::kLateFusion:
      return "late_fusion";
    case HeteroMode::kNaive:
      return "naive";
    case HeteroMode::kNegoCollab:
      return "negocollab";
  }
  return "?";
}

size_t assign_type(const std::string& scenario, const std::string& agent_id, size_t count,
                   uint64_t seed) {
  TORCH_CHECK(count > 0, "assign_type: no agent types");
  // FNV-1a over seed, scenario and agent id: stable across runs and platforms.
  uint64_t h = 1469598103934665603ull ^ seed;
  for (const std::string* s : {&scenario, &agent_id}) {
    for (unsigned char c : *s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h % count);
}

HeteroCollab::HeteroCollab(std::vector<HeteroMember> members) : members_(std::move(members)) {
  TORCH_CHECK(!members_.empty(), "HeteroCollab: no members");
  const BevGrid& g = members_.front().detector->grid();
  for (const auto& m : members_) {
    TORCH_CHECK(m.detector, "HeteroCollab: member ", m.name, " has no detector");
    const BevGrid& o = m.detector->grid();
    TORCH_CHECK(o.width() == g.width() && o.height() == g.height() && o.x_min == g.x_min &&
                    o.y_min == g.y_min,
                "HeteroCollab: member ", m.name, "'s feature grid ", o.str(), " differs from ",
                g.str());
  }
}

HeadOutput HeteroCollab::forward(const HeteroSample& sample, HeteroMode mode) {
  TORCH_CHECK(mode != HeteroMode::kLateFusion,
              "HeteroCollab::forward: late fusion has no "
              "fused feature; use detect()");
  const size_t n = mode == HeteroMode::kNoFusion ? 1 : sample.types.size();
  TORCH_CHECK(n >= 1 && sample.samples.size() == members_.size(), "HeteroCollab: sample has ",
              sample.samples.size(), " member views for ", members_.size(), " members");
  for (size_t t : sample.types) TORCH_CHECK(t < members_.size(), "agent type ", t, " out of range");
  HeteroMember& ego = members_[sample.types[0]];
  const BevGrid& grid = ego.detector->grid();

  std::vector<at::Tensor> locals;
  std::vector<at::Tensor> src_from_dst;
  {
    at::NoGradGuard no_grad;  // encoders are frozen
    for (size_t k = 0; k < n; ++k) {
      locals.push_back(local_native(sample, k).to(at::kFloat));
      // warp_bev samples the source (agent) map: it needs T_agent<-ego.
      src_from_dst.push_back(at::inverse(sample.agent(k).ego_from_agent_noisy));
    }
  }
  at::Tensor features;
  at::Tensor valid;
  if (n == 1) {
    features = locals.front();
  } else {
    const at::Tensor transforms = at::stack(src_from_dst);
    valid = warp_bev_mask(transforms, grid);
    const at::Tensor others_t = transforms.narrow(0, 1, static_cast<int64_t>(n - 1));
    std::vector<at::Tensor> others;
    if (mode == HeteroMode::kNaive) {
      for (size_t k = 1; k < n; ++k) others.push_back(through_wire(locals[k], wire_));
      features = at::cat({locals.front(), warp_bev(at::cat(others), others_t, grid)});
    } else {
      TORCH_CHECK(ego.receiver && ego.sender, "NegoCollab mode: member ", ego.name,
                  " has no sender/receiver");
      at::Tensor messages, prompt;
      {
        at::NoGradGuard no_grad;  // senders are frozen after stage 1
        for (size_t k = 1; k < n; ++k) {
          HeteroMember& from = members_[sample.types[k]];
          TORCH_CHECK(from.sender, "NegoCollab mode: member ", from.name, " has no sender");
          const at::Tensor sent =
              cached("sent", sample, k, [&] { return from.sender->forward(locals[k]); });
          others.push_back(through_wire(sent, wire_));
        }
        messages = warp_bev(at::cat(others), others_t, grid);
        prompt =
            cached("prompt", sample, 0, [&] { return ego.sender->local_prompt(locals.front()); });
      }
      // The ego's receiver turns the common-representation messages into its local
      // space (Concord warps messages into the ego frame before receiving; the
      // official code receives in each sender's frame with the prompt warped there).
      const at::Tensor received = ego.receiver->forward(messages, prompt);
      features =
          at::cat({locals.front(), received * valid.narrow(0, 1, static_cast<int64_t>(n - 1))});
    }
  }
  FusionInput in{features, {static_cast<int64_t>(n)}, valid};
  return ego.detector->head().forward(ego.detector->fusion().forward(in).fused);
}

Detections HeteroCollab::detect(const HeteroSample& sample, HeteroMode mode,
                                double score_threshold) {
  at::NoGradGuard no_grad;
  if (mode != HeteroMode::kLateFusion) {
    HeteroMember& ego = members_[sample.types.at(0)];
    return ego.detector->head().decode(forward(sample, mode), score_threshold).at(0);
  }
  std::vector<at::Tensor> boxes, scores;
  for (size_t k = 0; k < sample.types.size(); ++k) {
    HeteroMember& m = members_[sample.types[k]];
    const loader::AgentData& a = sample.agent(k);
    const HeadOutput out = m.detector->forward_single_bev(local_native(sample, k));
    Detections d = m.detector->head().decode(out, score_threshold).at(0);
    boxes.push_back(loader::boxes_to_frame(d.boxes, a.ego_from_agent_noisy));
    scores.push_back(d.scores);
  }
  return Detections{at::cat(boxes), at::cat(scores)};
}

at::Tensor HeteroCollab::cached(const char* what, const HeteroSample& sample, size_t k,
                                const std::function<at::Tensor()>& compute) {
  at::NoGradGuard no_grad;  // encoders and senders are frozen
  if (!cache_) return compute();
  const loader::CollabSample& view = sample.samples.at(sample.types.at(k));
  const std::string key = std::string(what) + "|" + std::to_string(sample.types[k]) + "|" +
                          view.scenario + "|" + view.timestamp + "|" + sample.agent(k).id;
  return cache_->get_or_compute(key, compute);
}

at::Tensor HeteroCollab::local_native(const HeteroSample& sample, size_t k) {
  HeteroMember& member = members_.at(sample.types.at(k));
  CollabDetector& detector = *member.detector;
  auto encode = [&] { return detector.encode_native(sample.agent(k)); };
  if (!member.store) return cached("local", sample, k, encode);
  return cached("local", sample, k, [&] {
    const loader::CollabSample& view = sample.samples.at(sample.types.at(k));
    return member.store->get_or_compute(encode_tag(detector), view.scenario, view.timestamp,
                                        sample.agent(k).id, encode);
  });
}

LossTerms HeteroCollab::loss(const HeteroSample& sample) {
  HeteroMember& ego = members_[sample.types.at(0)];
  const HeadOutput out = forward(sample, HeteroMode::kNegoCollab);
  return ego.detector->head().loss(out, {sample.ego_sample().gt_boxes});
}

}  // namespace concord::pipeline
