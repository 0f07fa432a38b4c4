// Anchor head through the real plugin: output shapes, the focal prior, parameter effects.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "concord/modules/detection_head.hpp"
#include "test_support.hpp"

namespace {

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("anchor_head");
  return r;
}

concord::ParamSet params(int64_t channels, int64_t anchors, bool direction) {
  concord::ParamSet p;
  p.set("in_channels", channels);
  p.set("anchors_per_cell", anchors);
  p.set("direction", direction);
  p.set("prior_probability", 0.01);
  return p;
}

TEST(AnchorHead, OutputShapesFollowAnchorsPerCell) {
  auto head = registry()->create<concord::DetectionHead>("anchor", 1, params(16, 2, true));
  auto out = head->forward(at::randn({3, 16, 5, 7}));
  EXPECT_EQ(out.cls.sizes(), (std::vector<int64_t>{3, 2, 5, 7}));
  EXPECT_EQ(out.reg.sizes(), (std::vector<int64_t>{3, 14, 5, 7}));
  EXPECT_EQ(out.dir.sizes(), (std::vector<int64_t>{3, 4, 5, 7}));
}

TEST(AnchorHead, ZeroInputGivesThePriorProbability) {
  auto head = registry()->create<concord::DetectionHead>("anchor", 1, params(8, 2, false));
  auto out = head->forward(at::zeros({1, 8, 2, 2}));
  EXPECT_FALSE(out.dir.defined());
  // With a zero input only the bias remains: sigmoid(bias) = prior = 0.01.
  EXPECT_NEAR(at::sigmoid(out.cls).mean().item<float>(), 0.01f, 1e-6f);
}

TEST(AnchorHead, RefusesWrongChannelCount) {
  auto head = registry()->create<concord::DetectionHead>("anchor", 1, params(8, 2, true));
  EXPECT_THROW(head->forward(at::zeros({1, 9, 2, 2})), c10::Error);
}

}  // namespace
