// Anchor head through the real plugin: output shapes, the focal prior, parameter
// checks, the loss on a hand-made one-cell case and decoding with the direction bin.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "concord/error.hpp"
#include "concord/modules/detection_head.hpp"
#include "test_support.hpp"

namespace {

constexpr double kPi = 3.14159265358979323846;

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("anchor_head");
  return r;
}

/// The manifest's defaults with the given overrides.
concord::ParamSet params(int64_t channels, int64_t anchors, bool direction) {
  const auto manifest = concord::test::built_manifest("anchor_head");
  concord::ParamSet p = concord::defaults_of(manifest.factories.at(0).params, "anchor_head");
  p.set("in_channels", channels);
  p.set("anchors_per_cell", anchors);
  p.set("direction", direction);
  p.set("prior_probability", 0.01);
  return p;
}

/// A head on a single 0.8 m cell centred at (0.4, 0.4): anchor 0 yaw 0, anchor 1 yaw 90 deg.
std::shared_ptr<concord::DetectionHead> one_cell_head(bool direction = true) {
  concord::ParamSet p = params(4, 2, direction);
  p.set("x_min", 0.0);
  p.set("y_min", 0.0);
  p.set("x_max", 0.8);
  p.set("y_max", 0.8);
  return registry()->create<concord::DetectionHead>("anchor", 1, p);
}

at::Tensor grid_1x1(std::vector<float> values) {
  const auto n = static_cast<int64_t>(values.size());
  return at::tensor(values).view({1, n, 1, 1});
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

TEST(AnchorHead, ManifestDefaultsAreHealsOpv2vSettings) {
  const auto p = params(64, 2, true);
  EXPECT_DOUBLE_EQ(p.get_float("cell_size"), 0.8);
  EXPECT_DOUBLE_EQ(p.get_float("anchor_l"), 3.9);
  EXPECT_DOUBLE_EQ(p.get_float("anchor_w"), 1.6);
  EXPECT_DOUBLE_EQ(p.get_float("anchor_h"), 1.56);
  EXPECT_DOUBLE_EQ(p.get_float("anchor_z"), -1.0);
  EXPECT_DOUBLE_EQ(p.get_float("pos_iou"), 0.6);
  EXPECT_DOUBLE_EQ(p.get_float("neg_iou"), 0.45);
  EXPECT_DOUBLE_EQ(p.get_float("reg_weight"), 2.0);
  EXPECT_DOUBLE_EQ(p.get_float("dir_weight"), 0.2);
  EXPECT_DOUBLE_EQ(p.get_float("score_threshold"), 0.2);
  // Default grid: +-102.4 x +-51.2 m at 0.8 m = 256 x 128 cells (sheet §2.2).
  auto head = registry()->create<concord::DetectionHead>("anchor", 1, p);
  auto out = head->forward(at::zeros({1, 64, 128, 256}));
  auto terms = head->loss(out, {at::zeros({0, 7})});
  EXPECT_TRUE(std::isfinite(terms.at("total").item<double>()));
  EXPECT_THROW(head->loss(head->forward(at::zeros({1, 64, 128, 255})), {at::zeros({0, 7})}),
               c10::Error);
}

TEST(AnchorHead, RefusesInconsistentParameters) {
  auto p = params(8, 2, true);
  p.set("neg_iou", 0.7);  // above pos_iou 0.6
  EXPECT_THROW(registry()->create<concord::DetectionHead>("anchor", 1, p), concord::RegistryError);
  p = params(8, 2, true);
  p.set("x_max", 102.0);  // 204.4 m is not a whole number of 0.8 m cells
  EXPECT_THROW(registry()->create<concord::DetectionHead>("anchor", 1, p), concord::RegistryError);
  p = params(8, 2, true);
  p.set("x_max", -200.0);  // empty range
  EXPECT_THROW(registry()->create<concord::DetectionHead>("anchor", 1, p), concord::RegistryError);
}

// One cell, GT box exactly on anchor 0 (yaw 0): anchor 0 is positive with a zero
// regression target, anchor 1 (yaw 90 deg, standup IoU 6.76 / 18.72 = 0.36 with
// OpenCOOD's +1 extents) is negative.
TEST(AnchorHead, LossOnHandMadeCellMatchesHandComputedValues) {
  auto head = one_cell_head();
  concord::HeadOutput out;
  out.cls = grid_1x1({0.5f, -1.0f});
  out.reg = at::zeros({1, 14, 1, 1});
  out.dir = at::zeros({1, 4, 1, 1});
  const at::Tensor gt = at::tensor({0.4f, 0.4f, -1.0f, 1.56f, 1.6f, 3.9f, 0.0f}).view({1, 7});
  auto terms = head->loss(out, {gt});
  // Focal: positive logit 0.5: p = 0.6224593, 0.25 (1 - p)^2 (-log p) = 0.0168934;
  // negative logit -1: p = 0.2689414, 0.75 p^2 (-log(1 - p)) = 0.0169935.
  // cls = (pos_cls_weight 2 * 0.0168934 + 0.0169935) / 1 positive = 0.0507803.
  EXPECT_NEAR(terms.at("cls").item<double>(), 0.0507803, 1e-6);
  // Zero residual predicted for a zero target.
  EXPECT_NEAR(terms.at("reg").item<double>(), 0.0, 1e-9);
  // Yaw 0: bin floor(limit(0 - 0.7853, 0, 2 pi) / pi) = 1; zero logits: CE = log 2; x 0.2.
  EXPECT_NEAR(terms.at("dir").item<double>(), 0.2 * std::log(2.0), 1e-6);
  EXPECT_NEAR(terms.at("total").item<double>(), 0.0507803 + 0.2 * std::log(2.0), 1e-6);

  // A regression residual of 0.1 in x on the positive: 0.5 (3 * 0.1)^2 = 0.045 (below
  // the 1/9 switch), x reg weight 2.
  out.reg = at::zeros({1, 14, 1, 1});
  out.reg[0][0] = 0.1;
  EXPECT_NEAR(head->loss(out, {gt}).at("reg").item<double>(), 2 * 0.045, 1e-6);
}

TEST(AnchorHead, OccupancyLabelsMarkPositiveNegativeAndIgnoredCells) {
  // 12 x 10 cells of 0.8 m (x 0..9.6, y 0..8), anchors 3.9 x 1.6 m at yaw 0 and 90 deg.
  concord::ParamSet p = params(4, 2, true);
  p.set("x_min", 0.0);
  p.set("y_min", 0.0);
  p.set("x_max", 9.6);
  p.set("y_max", 8.0);
  auto head = registry()->create<concord::DetectionHead>("anchor", 1, p);
  // GT = the yaw-0 anchor of cell (row 2, col 3), centre (2.8, 2.0): standup
  // x [0.85, 4.75], y [1.2, 2.8]. OpenCOOD IoUs count each extent + 1 m:
  // areas (3.9 + 1)(1.6 + 1) = 12.74.
  // - cell (2, 4), yaw 0, x [1.65, 5.55]: inter (3.1 + 1)(1.6 + 1) = 10.66,
  //   IoU 10.66 / (25.48 - 10.66) = 0.719 > 0.6: positive → label 1.
  // - cell (2, 5), yaw 0, x [2.45, 6.35]: inter (2.3 + 1) 2.6 = 8.58, IoU 0.508 in
  //   [0.45, 0.6]: ignored; yaw 90, x [3.6, 5.2], y [0.05, 3.95]: inter
  //   (1.15 + 1)(1.6 + 1) = 5.59, IoU 0.281 < 0.45: negative → label -1 (ignore).
  // - cell (8, 10), centre (8.4, 6.8): no overlap → both negative → label 0.
  const at::Tensor gt = at::tensor({2.8f, 2.0f, -1.0f, 1.56f, 1.6f, 3.9f, 0.0f}).view({1, 7});
  const at::Tensor labels = head->occupancy_labels({gt, at::zeros({0, 7})});
  ASSERT_EQ(labels.sizes(), (std::vector<int64_t>{2, 1, 10, 12}));
  EXPECT_EQ(labels[0][0][2][3].item<float>(), 1.0f);
  EXPECT_EQ(labels[0][0][2][4].item<float>(), 1.0f);
  EXPECT_EQ(labels[0][0][2][5].item<float>(), -1.0f);
  EXPECT_EQ(labels[0][0][8][10].item<float>(), 0.0f);
  // No GT: every anchor is negative, every cell 0.
  EXPECT_TRUE(at::equal(labels[1], at::zeros({1, 10, 12})));
  EXPECT_THROW(head->occupancy_labels({at::zeros({3})}), c10::Error);
}

TEST(AnchorHead, LossIsDifferentiableAndEmptyGtGivesOnlyNegatives) {
  auto head = one_cell_head();
  auto out = head->forward(at::randn({2, 4, 1, 1}));
  const at::Tensor gt = at::tensor({0.5f, 0.3f, -1.0f, 1.5f, 1.7f, 4.1f, 0.2f}).view({1, 7});
  auto terms = head->loss(out, {gt, at::empty({0})});
  ASSERT_EQ(terms.size(), 4u);
  terms.at("total").backward();
  for (const auto& p : head->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  }
  // Zero logits, no GT: both anchors negative, each 0.75 * 0.5^2 * log 2, no positives.
  concord::HeadOutput zero{at::zeros({1, 2, 1, 1}), at::zeros({1, 14, 1, 1}),
                           at::zeros({1, 4, 1, 1})};
  auto empty = head->loss(zero, {at::zeros({0, 7})});
  EXPECT_NEAR(empty.at("cls").item<double>(), 2 * 0.75 * 0.25 * std::log(2.0), 1e-6);
  EXPECT_EQ(empty.at("reg").item<double>(), 0.0);
  EXPECT_EQ(empty.at("dir").item<double>(), 0.0);
  EXPECT_THROW(head->loss(zero, {}), c10::Error);
  EXPECT_THROW(head->loss(zero, {at::zeros({2, 6})}), c10::Error);
}

TEST(AnchorHead, LossWithoutDirectionBranchHasZeroDirTerm) {
  auto head = one_cell_head(false);
  auto out = head->forward(at::randn({1, 4, 1, 1}));
  const at::Tensor gt = at::tensor({0.4f, 0.4f, -1.0f, 1.56f, 1.6f, 3.9f, 0.0f}).view({1, 7});
  auto terms = head->loss(out, {gt});
  EXPECT_EQ(terms.at("dir").item<double>(), 0.0);
  EXPECT_NEAR(terms.at("total").item<double>(),
              terms.at("cls").item<double>() + terms.at("reg").item<double>(), 1e-6);
}

TEST(AnchorHead, DecodeThresholdsScoresAndResolvesDirection) {
  auto head = one_cell_head();
  concord::HeadOutput out;
  out.cls = grid_1x1({2.0f, -3.0f});  // sigmoid: 0.881, 0.047
  out.reg = at::zeros({1, 14, 1, 1});
  out.dir = grid_1x1({3.0f, -3.0f, 0.0f, 0.0f});  // anchor 0: bin 0
  auto dets = head->decode(out, 0.2);
  ASSERT_EQ(dets.size(), 1u);
  ASSERT_EQ(dets[0].boxes.sizes(), (std::vector<int64_t>{1, 7}));
  EXPECT_NEAR(dets[0].scores[0].item<double>(), 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
  const auto box = dets[0].boxes[0];
  EXPECT_NEAR(box[0].item<double>(), 0.4, 1e-6);
  EXPECT_NEAR(box[1].item<double>(), 0.4, 1e-6);
  EXPECT_NEAR(box[2].item<double>(), -1.0, 1e-6);
  EXPECT_NEAR(box[5].item<double>(), 3.9, 1e-6);
  // Bin 0 means heading in [dir_offset - pi, dir_offset): yaw 0 becomes pi (wrapped to -pi).
  EXPECT_NEAR(std::abs(box[6].item<double>()), kPi, 1e-3);
  // Bin 1 keeps yaw 0.
  out.dir = grid_1x1({-3.0f, 3.0f, 0.0f, 0.0f});
  EXPECT_NEAR(head->decode(out, 0.2)[0].boxes[0][6].item<double>(), 0.0, 1e-5);
  // A negative threshold selects the configured default 0.2; 0.95 keeps nothing.
  EXPECT_EQ(head->decode(out, -1.0)[0].scores.size(0), 1);
  EXPECT_EQ(head->decode(out, 0.95)[0].boxes.sizes(), (std::vector<int64_t>{0, 7}));
  EXPECT_EQ(head->decode(out, 0.01)[0].scores.size(0), 2);
}

}  // namespace
