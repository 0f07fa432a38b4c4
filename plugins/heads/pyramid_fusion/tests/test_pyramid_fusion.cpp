// Pyramid fusion, loaded through the real plugin library and registry.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <string>

#include "concord/error.hpp"
#include "concord/modules/fusion.hpp"
#include "occupancy_loss.hpp"
#include "test_support.hpp"

namespace {

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("pyramid_fusion");
  return r;
}

/// The plugin.toml defaults.
concord::ParamSet defaults() {
  static const concord::PluginManifest manifest = concord::test::built_manifest("pyramid_fusion");
  return concord::defaults_of(manifest.factories.at(0).params, "pyramid_fusion");
}

/// A small pyramid (8 input channels, one block per level) that keeps the tests fast.
concord::ParamSet small_params(bool mask_scores = true) {
  concord::ParamSet p = defaults();
  p.set("in_channels", int64_t{8});
  p.set("layer_nums", std::vector<int64_t>{1, 1, 1});
  p.set("num_filters", std::vector<int64_t>{8, 16, 32});
  p.set("num_upsample_filters", std::vector<int64_t>{8, 8, 8});
  p.set("shrink_channels", int64_t{8});
  p.set("mask_scores", mask_scores);
  return p;
}

std::shared_ptr<concord::Fusion> make(const concord::ParamSet& p) {
  return registry()->create<concord::Fusion>("pyramid", 1, p);
}

at::Tensor fuse(concord::Fusion& f, const at::Tensor& x, std::vector<int64_t> agents,
                const at::Tensor& valid = {}) {
  return f.forward(concord::FusionInput{x, std::move(agents), valid}).fused;
}

/// Sets every occupancy head (all levels) to weight w, bias b.
void set_occupancy_heads(concord::Fusion& f, double w, double b) {
  at::NoGradGuard no_grad;
  int found = 0;
  for (auto& item : f.named_parameters()) {
    if (item.key().rfind("occupancy_head_", 0) != 0) continue;
    item.value().fill_(item.key().find(".bias") != std::string::npos ? b : w);
    ++found;
  }
  ASSERT_EQ(found, 6) << "expected weight and bias of 3 occupancy heads";
}

/// Copies every parameter of `from` into `to` (same architecture).
void copy_parameters(concord::Fusion& from, concord::Fusion& to) {
  at::NoGradGuard no_grad;
  auto source = from.named_parameters();
  for (auto& item : to.named_parameters()) item.value().copy_(source[item.key()]);
}

void expect_close(const at::Tensor& a, const at::Tensor& b, double tol = 1e-4) {
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_TRUE(at::allclose(a, b, tol, tol)) << "max |diff| " << (a - b).abs().max().item<float>();
}

TEST(PyramidFusion, OutputShapesForThreeAndOneAgents) {
  auto f = make(defaults());
  f->eval();
  // 60 x 44 is a multiple of the total stride 4 (not of 8): no padding.
  concord::FusionOutput out = f->forward({at::randn({4, 64, 60, 44}), {3, 1}, {}});
  EXPECT_EQ(out.fused.sizes(), (std::vector<int64_t>{2, 64, 60, 44}));
  ASSERT_EQ(out.occupancy.size(), 3u);
  EXPECT_EQ(out.occupancy[0].sizes(), (std::vector<int64_t>{4, 1, 60, 44}));
  EXPECT_EQ(out.occupancy[1].sizes(), (std::vector<int64_t>{4, 1, 30, 22}));
  EXPECT_EQ(out.occupancy[2].sizes(), (std::vector<int64_t>{4, 1, 15, 11}));
}

TEST(PyramidFusion, PadsGridsThatAreNotMultiplesOfTheTotalStride) {
  auto f = make(small_params());
  f->eval();
  at::Tensor x = at::randn({4, 8, 61, 45});
  concord::FusionOutput out = f->forward({x, {3, 1}, at::ones({4, 1, 61, 45})});
  EXPECT_EQ(out.fused.sizes(), (std::vector<int64_t>{2, 8, 61, 45}));
  EXPECT_EQ(out.occupancy[0].sizes(), (std::vector<int64_t>{4, 1, 61, 45}));
  EXPECT_EQ(out.occupancy[1].sizes(), (std::vector<int64_t>{4, 1, 31, 23}));
  EXPECT_EQ(out.occupancy[2].sizes(), (std::vector<int64_t>{4, 1, 16, 12}));
  EXPECT_TRUE(at::isfinite(out.fused).all().item<bool>());
}

TEST(PyramidFusion, IdenticalAgentsEqualSingleAgentFusion) {
  auto f = make(small_params());
  f->eval();
  at::Tensor x = at::randn({1, 8, 20, 16});
  at::Tensor y = at::randn({1, 8, 20, 16});
  at::Tensor three = fuse(*f, at::cat({x, x, x, y}), {3, 1});
  at::Tensor single = fuse(*f, at::cat({x, y}), {1, 1});
  expect_close(three, single);
}

// In eval mode with fresh BatchNorm statistics the backbone is positively homogeneous and
// maps 0 to 0, so fusing (A, 0) with weight w_A on A equals the single-agent fusion of w_A A.
TEST(PyramidFusion, AgentWithForcedHighScoreDominates) {
  auto f = make(small_params());
  f->eval();
  at::Tensor a = at::randn({1, 8, 16, 16}).abs() + 0.5;
  at::Tensor pair = at::cat({a, at::zeros_like(a)});
  const double e = std::exp(1.0);
  // Score head = 0: uniform weights 1/2.
  set_occupancy_heads(*f, 0.0, 0.0);
  expect_close(fuse(*f, pair, {2}), fuse(*f, a * 0.5, {1}));
  // A's logits forced to +inf-like (score 1 + 1e-4), B's to -30 (score ~1e-4): HEAL's softmax
  // over scores gives A its largest possible weight e / (1 + e) = 0.731.
  set_occupancy_heads(*f, 1e4, -30.0);
  expect_close(fuse(*f, pair, {2}), fuse(*f, a * (e / (1 + e)), {1}));
  // The reverse: B dominates, A keeps 1 / (1 + e) = 0.269.
  set_occupancy_heads(*f, -1e4, 30.0);
  expect_close(fuse(*f, pair, {2}), fuse(*f, a * (1 / (1 + e)), {1}));
}

TEST(PyramidFusion, ValidMaskRemovesAnAgentWhereInvalid) {
  at::Tensor a = at::randn({1, 8, 16, 16});
  at::Tensor b = at::randn({1, 8, 16, 16});
  at::Tensor valid = at::ones({2, 1, 16, 16});
  valid[1].fill_(0.0);
  auto masked = make(small_params(true));
  masked->eval();
  at::Tensor ego_only = fuse(*masked, a, {1});
  expect_close(fuse(*masked, at::cat({a, b}), {2}, valid), ego_only);

  // B invalid in columns >= 8 (aligned to the total stride 4): columns >= 10 (beyond the
  // shrink header's two 3x3 convs) equal the ego-only fusion, columns < 8 do not.
  valid = at::ones({2, 1, 16, 16});
  valid[1].narrow(2, 8, 8).fill_(0.0);
  at::Tensor fused = fuse(*masked, at::cat({a, b}), {2}, valid);
  expect_close(fused.narrow(3, 10, 6), ego_only.narrow(3, 10, 6));
  EXPECT_FALSE(at::allclose(fused.narrow(3, 0, 8), ego_only.narrow(3, 0, 8), 1e-3, 1e-3));

  // mask_scores = false ignores the mask: B contributes everywhere.
  auto unmasked = make(small_params(false));
  unmasked->eval();
  copy_parameters(*masked, *unmasked);
  at::Tensor unmasked_fused = fuse(*unmasked, at::cat({a, b}), {2}, valid);
  expect_close(unmasked_fused, fuse(*unmasked, at::cat({a, b}), {2}));
  EXPECT_FALSE(
      at::allclose(unmasked_fused.narrow(3, 10, 6), ego_only.narrow(3, 10, 6), 1e-3, 1e-3));
}

TEST(PyramidFusion, GradientsReachTheOccupancyHeads) {
  auto f = make(small_params());
  f->train();
  at::Tensor x = at::randn({4, 8, 16, 16});
  concord::FusionOutput out = f->forward({x, {3, 1}, {}});
  // Through the fusion weights alone.
  out.fused.pow(2).sum().backward();
  for (auto& item : f->named_parameters()) {
    if (item.key().rfind("occupancy_head_", 0) != 0) continue;
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
    EXPECT_TRUE(at::isfinite(item.value().grad()).all().item<bool>()) << item.key();
  }
  // Through the pyramid occupancy loss (HEAL point_pillar_pyramid_loss).
  f->zero_grad();
  out = f->forward({x, {3, 1}, {}});
  at::Tensor positives = at::rand({4, 16, 16, 2}) > 0.9;
  at::Tensor negatives = positives.logical_not();
  at::Tensor loss =
      concord::plugins::pyramid::pyramid_occupancy_loss(out.occupancy, positives, negatives);
  loss.backward();
  for (auto& item : f->named_parameters()) {
    if (item.key().rfind("occupancy_head_", 0) != 0) continue;
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
  }
}

// Fusion::loss with zero logits (p = 0.5): every counted free cell costs the focal term
// alpha_t (1 - p_t)^2 ln 2 = 0.75 * 0.25 * ln 2; ignored (-1) cells cost nothing, and a coarse
// cell is free only when all its fine cells are.
TEST(PyramidFusion, OccupancyLossOfZeroLogitsIsHandComputed) {
  auto f = make(small_params());
  set_occupancy_heads(*f, 0.0, 0.0);
  concord::FusionOutput out = f->forward({at::randn({1, 8, 16, 16}), {1}, {}});
  const double per_cell = 0.75 * 0.25 * std::log(2.0);
  at::Tensor free = at::zeros({1, 1, 16, 16});
  auto terms = f->loss(out, free);
  ASSERT_EQ(terms.count("occupancy"), 1u);
  // 16x16, 8x8, 4x4 cells at weights 0.4, 0.2, 0.1.
  EXPECT_NEAR(terms.at("occupancy").item<double>(), (256 * 0.4 + 64 * 0.2 + 16 * 0.1) * per_cell,
              1e-4);
  at::Tensor half = free.clone();
  half.narrow(2, 0, 8).fill_(-1.0);  // rows 0-7 ignored
  EXPECT_NEAR(f->loss(out, half).at("occupancy").item<double>(),
              (128 * 0.4 + 32 * 0.2 + 8 * 0.1) * per_cell, 1e-4);
}

TEST(PyramidFusion, OccupancyLossMatchesThePyramidLossAndCanBeSwitchedOff) {
  auto f = make(small_params());
  concord::FusionOutput out = f->forward({at::randn({3, 8, 16, 12}), {2, 1}, {}});
  at::Tensor labels = at::randint(-1, 2, {3, 1, 16, 12});
  const at::Tensor l = labels.squeeze(1);
  const double expected =
      concord::plugins::pyramid::pyramid_occupancy_loss(out.occupancy, l == 1, l == 0)
          .item<double>();
  EXPECT_NEAR(f->loss(out, labels).at("occupancy").item<double>(), expected, 1e-5);
  EXPECT_THROW(f->loss(out, labels.narrow(0, 0, 2)), c10::Error);
  EXPECT_THROW(f->loss(out, labels.narrow(3, 0, 8)), c10::Error);
  concord::ParamSet p = small_params();
  p.set("occupancy_weights", std::vector<double>{0.0, 0.0, 0.0});
  EXPECT_TRUE(make(p)->loss(out, labels).empty());
  p.set("occupancy_weights", std::vector<double>{0.4, 0.2});
  EXPECT_THROW(make(p), concord::RegistryError);
}

TEST(PyramidFusion, IsDeterministic) {
  at::Tensor x = at::randn({3, 8, 16, 12});
  at::Tensor valid = (at::rand({3, 1, 16, 12}) > 0.2).to(at::kFloat);
  at::manual_seed(7);
  auto f1 = make(small_params());
  at::manual_seed(7);
  auto f2 = make(small_params());
  f1->eval();
  f2->eval();
  at::Tensor r1 = fuse(*f1, x, {2, 1}, valid);
  EXPECT_TRUE(at::equal(r1, fuse(*f1, x, {2, 1}, valid)));
  EXPECT_TRUE(at::equal(r1, fuse(*f2, x, {2, 1}, valid)));
}

TEST(PyramidFusion, RefusesInconsistentInputs) {
  auto f = make(small_params());
  EXPECT_THROW(f->forward({at::zeros({3, 8, 8, 8}), {2, 2}, {}}), c10::Error);
  EXPECT_THROW(f->forward({at::zeros({2, 4, 8, 8}), {2}, {}}), c10::Error);
  EXPECT_THROW(f->forward({at::zeros({2, 8, 8, 8}), {2, 0}, {}}), c10::Error);
  EXPECT_THROW(f->forward({at::zeros({2, 8, 8, 8}), {2}, at::ones({2, 1, 8, 4})}), c10::Error);
}

TEST(PyramidFusion, RefusesInconsistentParameters) {
  concord::ParamSet p = small_params();
  p.set("layer_nums", std::vector<int64_t>{1, 1});
  EXPECT_THROW(make(p), concord::RegistryError);
  p = small_params();
  p.set("upsample_strides", std::vector<int64_t>{1, 2, 2});
  EXPECT_THROW(make(p), concord::RegistryError);
}

// Reports the size and CPU latency at the plugin.toml defaults (2 agents, 96 x 96).
TEST(PyramidFusion, ReportsParameterCountAndLatencyAtDefaults) {
  auto f = make(defaults());
  f->eval();
  int64_t count = 0;
  for (const auto& p : f->parameters()) count += p.numel();
  at::Tensor x = at::randn({2, 64, 96, 96});
  at::NoGradGuard no_grad;
  fuse(*f, x, {2});  // warm-up
  const int runs = 3;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) fuse(*f, x, {2});
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      runs;
  std::cout << "[pyramid] parameters at defaults: " << count
            << "; forward, 2 agents 96x96, eval, no grad: " << ms << " ms ("
            << at::get_num_threads() << " threads)\n";
  RecordProperty("parameters", std::to_string(count));
  RecordProperty("latency_ms", std::to_string(ms));
  EXPECT_GT(count, 0);
}

}  // namespace
