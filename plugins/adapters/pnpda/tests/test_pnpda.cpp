// PnPDA: the calibrator's box masks and InfoNCE by hand, the sine position embedding by
// hand, the plugin through the registry, shapes on grids that are not multiples of the
// windows, gradient flow to every parameter and trainable parameter counts.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "calibrator_loss.hpp"
#include "concord/adapters/accounting.hpp"
#include "concord/modules/alignment_loss.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "concord/precision.hpp"
#include "gradient_checks.hpp"
#include "pnpda.hpp"
#include "test_support.hpp"

namespace {

namespace pnpda = concord::plugins::pnpda;
using concord::adapters::trainable_parameters;

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("pnpda");
  return r;
}

/// The plugin.toml defaults of factory `index` (0 = sender, 1 = receiver).
concord::ParamSet defaults(size_t index) {
  return concord::test::factory_defaults("pnpda", index);
}

/// A 4 x 4 grid of 1 m cells over [0, 4] x [0, 4] m: cell (h, w) centred at (w + 0.5, h + 0.5).
concord::BevGrid unit_grid() {
  concord::BevGrid g;
  g.x_min = 0.0;
  g.x_max = 4.0;
  g.y_min = 0.0;
  g.y_max = 4.0;
  g.resolution = 1.0;
  return g;
}

/// Object A covers cell (0, 0) only; object B cells (2, 2) and (3, 2).
///   A: centre (0.5, 0.5), 1.2 x 1.2 m -> |dx|, |dy| <= 0.6: only the centre (0.5, 0.5).
///   B: centre (2.5, 3.0), l 1.2 along x, w 2.2 along y -> x = 2.5 (w = 2), y in {2.5, 3.5}.
at::Tensor two_boxes(double yaw_b = 0.0) {
  const bool turned = yaw_b != 0.0;  // at yaw pi/2, l runs along y: swap l and w
  return at::tensor({0.5, 0.5, 0.0, 1.2, 1.2, 1.0, 0.0,  //
                     2.5, 3.0, 0.0, turned ? 2.2 : 1.2, turned ? 1.2 : 2.2, 1.0, yaw_b},
                    at::kDouble)
      .reshape({2, 7})
      .to(at::kFloat);
}

/// The q / k features of InfoNceByHand: q cell (0,0) = [1, 0], B cells [0, 1] and [0, 3];
/// k cell (0,0) = [1, 1], B cells [0, 1] twice; every other cell 5.
std::pair<at::Tensor, at::Tensor> hand_features() {
  at::Tensor q = at::full({1, 2, 4, 4}, 5.0f);
  at::Tensor k = at::full({1, 2, 4, 4}, 5.0f);
  auto set = [](at::Tensor& f, int64_t h, int64_t w, float a, float b) {
    f[0][0][h][w] = a;
    f[0][1][h][w] = b;
  };
  set(q, 0, 0, 1, 0);
  set(q, 2, 2, 0, 1);
  set(q, 3, 2, 0, 3);
  set(k, 0, 0, 1, 1);
  set(k, 2, 2, 0, 1);
  set(k, 3, 2, 0, 1);
  return {q, k};
}

TEST(PnpdaCalibrator, BoxCellMaskByHand) {
  const at::Tensor m = pnpda::box_cell_mask(two_boxes(), unit_grid());
  ASSERT_EQ(m.sizes(), (at::IntArrayRef{2, 4, 4}));
  at::Tensor expect = at::zeros({2, 4, 4}, at::kBool);
  expect[0][0][0] = true;
  expect[1][2][2] = true;
  expect[1][3][2] = true;
  EXPECT_TRUE(at::equal(m, expect));
  // The same box B turned by yaw = pi/2 with l and w swapped covers the same cells.
  EXPECT_TRUE(at::equal(pnpda::box_cell_mask(two_boxes(M_PI / 2), unit_grid()), expect));
  EXPECT_THROW(pnpda::box_cell_mask(at::zeros({2, 6}), unit_grid()), c10::Error);
}

TEST(PnpdaCalibrator, InfoNceByHand) {
  // q (domain 1): cell (0,0) = [1, 0]; B cells [0, 1] and [0, 3] -> mean [0, 2] -> [0, 1].
  // k (domain 2): cell (0,0) = [1, 1] -> [1, 1] / sqrt 2; B cells [0, 1], [0, 1] -> [0, 1].
  // Every other cell holds 5 (outside every box, so it must not matter).
  // sim[i][j] = k_i . q_j = [[1/sqrt 2, 1/sqrt 2], [0, 1]]; logits = sim / 0.1.
  //   row A: [7.071, 7.071], label 0 -> ln 2 = 0.693147
  //   row B: [0, 10], label 1 -> ln(1 + e^-10) = 4.53989e-5
  // loss = (0.693147 + 0.0000454) / 2 = 0.346596.
  auto [q, k] = hand_features();
  q.requires_grad_(true);
  k.requires_grad_(true);
  const at::Tensor loss = pnpda::pnpda_contrastive_loss(q, k, {two_boxes()}, unit_grid());
  const double expect = (std::log(2.0) + std::log1p(std::exp(-10.0))) / 2.0;
  EXPECT_NEAR(loss.item<double>(), expect, 1e-6);
  // Gradients reach only cells inside the boxes.
  loss.backward();
  const at::Tensor touched = q.grad().abs().sum(1)[0] > 0;  // [4, 4]
  at::Tensor inside = at::zeros({4, 4}, at::kBool);
  inside[0][0] = true;
  inside[2][2] = true;
  inside[3][2] = true;
  EXPECT_TRUE(at::equal(touched | inside, inside));
  EXPECT_GT(k.grad().abs().sum().item<double>(), 0.0);
}

TEST(PnpdaCalibrator, PoolingCapAndEmptyCases) {
  // max_cells 1 keeps B's first cell in row-major order, (2, 2): q_B = [0, 1] either way,
  // so the hand value above is unchanged.
  at::Tensor f = at::zeros({2, 4, 4});
  f[1][2][2] = 1.0f;
  f[1][3][2] = 3.0f;
  const at::Tensor masks = pnpda::box_cell_mask(two_boxes(), unit_grid());
  EXPECT_TRUE(at::allclose(pnpda::pool_box_features(f, masks, 1)[1], at::tensor({0.0f, 1.0f})));
  EXPECT_TRUE(at::allclose(pnpda::pool_box_features(f, masks, 40)[1], at::tensor({0.0f, 2.0f})));
  // No boxes (or boxes outside the grid): a zero loss that still backpropagates.
  const at::Tensor x = at::randn({1, 2, 4, 4}).requires_grad_(true);
  const at::Tensor outside =
      at::tensor({50.0f, 50.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.0f}).reshape({1, 7});
  const at::Tensor zero = pnpda::pnpda_contrastive_loss(x, x, {outside}, unit_grid());
  EXPECT_EQ(zero.item<double>(), 0.0);
  zero.backward();
  EXPECT_THROW(pnpda::pnpda_contrastive_loss(x, x, {}, unit_grid()), c10::Error);
  EXPECT_THROW(pnpda::pnpda_contrastive_loss(x, x, {outside}, unit_grid(), 0.0), c10::Error);
}

// PnPDA-P's alignment loss through the registry: the InfoNCE of InfoNceByHand with the
// boxes in Concord's [x, y, z, h, w, l, yaw] order, times the weight.
TEST(PnpdaAlignment, CalibratorInfoNceOnConcordBoxesByHand) {
  concord::ParamSet p = defaults(2);
  p.set("weight", 2.0);
  auto loss = registry()->create<concord::AlignmentLoss>("pnpda", 1, p);
  EXPECT_EQ(trainable_parameters(*loss), 0);
  auto sender = registry()->create<concord::Sender>("pnpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("pnpda", 1, defaults(1));
  auto [q, k] = hand_features();
  const at::Tensor hwl = two_boxes().index_select(1, at::tensor({0, 1, 2, 5, 4, 3, 6}, at::kLong));
  const concord::LossTerms t =
      loss->forward(*sender, *receiver, k, k, q, concord::AlignmentGroundTruth{{hwl}, unit_grid()});
  const double expect = (std::log(2.0) + std::log1p(std::exp(-10.0))) / 2.0;
  EXPECT_NEAR(t.at("contrastive").item<double>(), expect, 1e-6);
  EXPECT_NEAR(t.at("total").item<double>(), 2.0 * expect, 1e-6);
}

TEST(PnpdaAlignment, ReadsLengthFromTheLastSizeColumnAndRefusesMismatches) {
  auto loss = registry()->create<concord::AlignmentLoss>("pnpda", 1, defaults(2));
  auto sender = registry()->create<concord::Sender>("pnpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("pnpda", 1, defaults(1));
  torch::manual_seed(11);
  const at::Tensor q = at::randn({1, 3, 4, 4});
  const at::Tensor k = at::randn({1, 3, 4, 4});
  // [x, y, z, h, w, l, yaw]: a 3.2 m long, 0.8 m wide car along x in row 0 (4 cells) and a
  // 1 x 1 m box at cell (2, 1); read as l = h = 1.5 the car would cover 2 cells only.
  const at::Tensor hwl = at::tensor({2.0f, 0.5f, 0.0f, 1.5f, 0.8f, 3.2f, 0.0f,  //
                                     1.5f, 2.5f, 0.0f, 1.5f, 1.0f, 1.0f, 0.0f})
                             .view({2, 7});
  const at::Tensor lwh = hwl.index_select(1, at::tensor({0, 1, 2, 5, 4, 3, 6}, at::kLong));
  const double got =
      loss->forward(*sender, *receiver, k, k, q, concord::AlignmentGroundTruth{{hwl}, unit_grid()})
          .at("contrastive")
          .item<double>();
  EXPECT_NEAR(got, pnpda::pnpda_contrastive_loss(q, k, {lwh}, unit_grid()).item<double>(), 1e-6);
  EXPECT_GT(std::abs(got - pnpda::pnpda_contrastive_loss(q, k, {hwl}, unit_grid()).item<double>()),
            1e-4);
  EXPECT_THROW(loss->forward(*sender, *receiver, k, k, q.narrow(3, 0, 3),
                             concord::AlignmentGroundTruth{{hwl}, unit_grid()}),
               c10::Error);
  EXPECT_THROW(loss->forward(*sender, *receiver, k, k, q,
                             concord::AlignmentGroundTruth{{hwl, hwl}, unit_grid()}),
               c10::Error);
  concord::ParamSet p = defaults(2);
  p.set("tau", 0.0);
  EXPECT_THROW(registry()->create<concord::AlignmentLoss>("pnpda", 1, p), concord::RegistryError);
}

TEST(PnpdaLayers, SinePositionEmbeddingByHand) {
  // d = 4: t = [10000^0, 10000^(2/4)] = [1, 100]; cell (h, w) has y = h + 1, x = w + 1;
  // embedding = [sin(y / 1), cos(y / 100), sin(x / 1), cos(x / 100)].
  const at::Tensor e = pnpda::sine_position_embedding(2, 3, 4);
  ASSERT_EQ(e.sizes(), (at::IntArrayRef{2, 3, 4}));
  const at::Tensor expect =
      at::tensor({static_cast<float>(std::sin(2.0)), static_cast<float>(std::cos(0.02)),
                  static_cast<float>(std::sin(3.0)), static_cast<float>(std::cos(0.03))});
  EXPECT_TRUE(at::allclose(e[1][2], expect));  // h = 1, w = 2
  EXPECT_THROW(pnpda::sine_position_embedding(2, 2, 6), c10::Error);
}

TEST(PnpdaAdapters, ManifestListsAllThreeFactories) {
  const concord::PluginManifest m = concord::test::built_manifest("pnpda");
  ASSERT_EQ(m.factories.size(), 3u);
  EXPECT_EQ(m.factories[0].kind, "sender");
  EXPECT_EQ(m.factories[1].kind, "receiver");
  EXPECT_EQ(m.factories[2].kind, "alignment");
  EXPECT_EQ(defaults(1).get_string("target_space"), "ego");
}

TEST(PnpdaAdapters, TrainableParameterCountsAtDefaults) {
  // Sender: compressor 64*64 + 64 = 4160; encoder layer: q, k, v 3 * (64*128 + 128) = 24960,
  //   to_out 128*64 = 8192 (no bias), FFN 64*128 + 128 + 128*64 + 64 = 16576, 2 LN 256
  //   -> 49984; sender 54144.
  // Receiver: cross attention 3 * (LN 128 + 64*128 + 128) + proj 128*64 + 64 = 33600, two
  //   -> 67200; MLPs 2 * (64*128 + 128 + 128*64 + 64) = 33152; 2 LN 256 -> 100608.
  auto sender = registry()->create<concord::Sender>("pnpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("pnpda", 1, defaults(1));
  EXPECT_EQ(trainable_parameters(*sender), 54144);
  EXPECT_EQ(trainable_parameters(*receiver), 100608);
}

TEST(PnpdaAdapters, PluginShapesOddGridAndGradientsEverywhere) {
  auto sender = registry()->create<concord::Sender>("pnpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("pnpda", 1, defaults(1));
  const at::Tensor collaborator = at::randn({2, 64, 50, 45});  // 45: odd, not a multiple of 2
  const at::Tensor ego = at::randn({1, 64, 50, 45});
  const at::Tensor message = sender->forward(collaborator);
  EXPECT_EQ(message.sizes(), (at::IntArrayRef{2, 64, 50, 45}));
  EXPECT_TRUE(at::equal(sender->local_prompt(ego), ego));  // the ego is the target space
  const at::Tensor out = receiver->forward(message, ego);
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{2, 64, 50, 45}));
  EXPECT_EQ(concord::adapters::wire_bytes_per_frame(message, at::kFloat), 64 * 50 * 45 * 4);
  EXPECT_EQ(concord::adapters::wire_bytes_per_frame(message, at::kBFloat16), 64 * 50 * 45 * 2);
  out.pow(2).mean().backward();
  concord::test::expect_every_parameter_has_a_gradient(*sender);
  concord::test::expect_every_parameter_has_a_gradient(*receiver);
}

TEST(PnpdaAdapters, AlignsChannelsAndGrid) {
  // A 128-channel agent at 0.4 m sending to a 64-channel ego at 0.8 m: max-pool by 2.
  pnpda::PnpdaOptions o;
  o.local_channels = 128;
  o.local_cell_size_m = 0.4;
  pnpda::PnpdaSender sender(o);
  pnpda::PnpdaReceiver receiver(o);
  const at::Tensor message = sender.forward(at::randn({2, 128, 50, 45}));
  EXPECT_EQ(message.sizes(), (at::IntArrayRef{2, 64, 25, 22}));
  const at::Tensor out = receiver.forward(message, at::randn({1, 64, 25, 22}));
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{2, 64, 25, 22}));
  // The other way (0.8 m -> 0.4 m): nearest upsampling.
  o.local_cell_size_m = 1.6;
  o.target_cell_size_m = 0.8;
  pnpda::PnpdaSender up(o);
  EXPECT_EQ(up.forward(at::randn({1, 128, 5, 7})).sizes(), (at::IntArrayRef{1, 64, 10, 14}));
}

TEST(PnpdaAdapters, Refusals) {
  pnpda::PnpdaReceiver receiver(pnpda::PnpdaOptions{});
  EXPECT_THROW(receiver.forward(at::zeros({2, 64, 8, 8}), at::zeros({3, 64, 8, 8})), c10::Error);
  pnpda::PnpdaOptions bad;
  bad.d_ff = 130;  // not a multiple of 4 heads
  EXPECT_THROW(pnpda::PnpdaSender{bad}, c10::Error);
}

TEST(PnpdaAdapters, RunForwardAndBackwardUnderBf16Autocast) {
  // LayerNorms run in fp32 (concord::layer_norm_fp32), so the mixed-dtype pass works.
  auto sender = registry()->create<concord::Sender>("pnpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("pnpda", 1, defaults(1));
  const at::Tensor local = at::randn({2, 64, 13, 11});
  at::Tensor back;
  {
    concord::AutocastScope bf16(concord::Precision::kBf16);
    back = receiver->forward(sender->forward(local), local.narrow(0, 0, 1));
  }
  EXPECT_EQ(back.sizes(), (at::IntArrayRef{2, 64, 13, 11}));
  EXPECT_TRUE(at::isfinite(back.to(at::kFloat)).all().item<bool>());
  back.to(at::kFloat).pow(2).mean().backward();
  for (const auto& p : sender->parameters()) EXPECT_TRUE(p.grad().defined());
}

}  // namespace
