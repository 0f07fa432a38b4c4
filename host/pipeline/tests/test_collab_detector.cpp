// CollabDetector's training loss with the real pyramid fusion and anchor head plugins:
// the fusion's occupancy term is supervised by each agent's OWN labels.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "concord/pipeline/collab_detector.hpp"
#include "test_support.hpp"

namespace {

using concord::loader::AgentData;
using concord::loader::CollabSample;
using concord::pipeline::CollabDetector;
using concord::pipeline::FusionMode;

/// An encoder whose BEV feature is a learnable [1, 8, 32, 32] map, whatever the sensor.
class ConstantEncoder : public concord::Encoder {
 public:
  ConstantEncoder() { map_ = register_parameter("map", at::randn({1, 8, 32, 32})); }
  concord::EncoderOutput forward(const concord::SensorInput&) override { return {map_, {}}; }

 private:
  at::Tensor map_;
};

/// Pyramid fusion (8 channels) + anchor head on [-12.8, 12.8]^2 m at 0.8 m (32 x 32).
std::shared_ptr<CollabDetector> detector() {
  static auto fusion_registry = concord::test::registry_with("pyramid_fusion");
  static auto head_registry = concord::test::registry_with("anchor_head");
  concord::ParamSet f = concord::test::factory_defaults("pyramid_fusion", 0);
  f.set("in_channels", int64_t{8});
  f.set("layer_nums", std::vector<int64_t>{1, 1, 1});
  f.set("num_filters", std::vector<int64_t>{8, 16, 32});
  f.set("num_upsample_filters", std::vector<int64_t>{8, 8, 8});
  f.set("shrink_channels", int64_t{8});
  concord::ParamSet h = concord::test::factory_defaults("anchor_head", 0);
  h.set("in_channels", int64_t{8});
  for (const char* k : {"x_min", "y_min"}) h.set(k, -12.8);
  for (const char* k : {"x_max", "y_max"}) h.set(k, 12.8);
  concord::BevGrid grid{-12.8, 12.8, -12.8, 12.8, 0.8};
  return std::make_shared<CollabDetector>(
      std::make_shared<ConstantEncoder>(),
      fusion_registry->create<concord::Fusion>("pyramid", 1, f),
      head_registry->create<concord::DetectionHead>("anchor", 1, h), grid);
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
