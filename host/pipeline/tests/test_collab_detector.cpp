// CollabDetector's training loss with the real pyramid fusion and anchor head plugins:
// the fusion's occupancy term is supervised by each agent's OWN labels.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "concord/pipeline/collab_detector.hpp"
#include "constant_detector.hpp"
#include "test_support.hpp"

namespace {

using concord::loader::AgentData;
using concord::loader::CollabSample;
using concord::pipeline::CollabDetector;
using concord::pipeline::FusionMode;

std::shared_ptr<CollabDetector> detector() {
  return concord::test::constant_detector();
}

/// Two agents at the same pose; one car 5 m ahead of the ego, listed by the ego only.
CollabSample sample() {
  CollabSample s;
  s.gt_boxes = at::tensor({5.0f, 0.0f, -1.0f, 1.5f, 1.8f, 4.0f, 0.0f}).view({1, 7});
  for (int k = 0; k < 2; ++k) {
    AgentData a;
    a.id = std::to_string(k);
    a.input.points.push_back(at::zeros({1, 4}));
    a.ego_from_agent = at::eye(4, at::kDouble);
    a.ego_from_agent_noisy = a.ego_from_agent;
    a.own_gt_boxes = k == 0 ? s.gt_boxes : at::zeros({0, 7});
    s.agents.push_back(a);
  }
  return s;
}

TEST(CollabDetector, OccupancyTermUsesEachAgentsOwnLabels) {
  at::manual_seed(3);
  auto model = detector();
  CollabSample s = sample();
  auto out = model->forward(s, FusionMode::kIntermediate);
  auto terms = model->loss(out, s);
  ASSERT_EQ(terms.count("occupancy"), 1u);
  const double head_total = model->head().loss(out.head, {s.gt_boxes}).at("total").item<double>();
  EXPECT_NEAR(terms.at("total").item<double>(), head_total + terms.at("occupancy").item<double>(),
              1e-4);
  // The collaborator lists nothing, so its map is all free: with both agents supervised by
  // the cooperative ground truth the term would differ.
  const at::Tensor own = model->head().occupancy_labels({s.gt_boxes, at::zeros({0, 7})});
  const at::Tensor both = model->head().occupancy_labels({s.gt_boxes, s.gt_boxes});
  EXPECT_NEAR(terms.at("occupancy").item<double>(),
              model->fusion().loss(out.fusion, own).at("occupancy").item<double>(), 1e-6);
  EXPECT_GT(std::abs(terms.at("occupancy").item<double>() -
                     model->fusion().loss(out.fusion, both).at("occupancy").item<double>()),
            1e-4);
  // The term reaches the occupancy heads.
  terms.at("total").backward();
  for (auto& p : model->fusion().named_parameters()) {
    if (p.key().rfind("occupancy_head_", 0) != 0) continue;
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST(CollabDetector, NoOccupancyTermWithoutPerAgentLabels) {
  auto model = detector();
  CollabSample s = sample();
  s.agents[1].own_gt_boxes = at::Tensor();  // e.g. DAIR-V2X
  auto out = model->forward(s, FusionMode::kIntermediate);
  auto terms = model->loss(out, s);
  EXPECT_EQ(terms.count("occupancy"), 0u);
  EXPECT_NEAR(terms.at("total").item<double>(),
              model->head().loss(out.head, {s.gt_boxes}).at("total").item<double>(), 1e-6);
}

}  // namespace
