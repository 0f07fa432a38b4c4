// PointPillars encoder: pillarisation of hand-placed points, the 10-d decoration,
// scatter, and the real plugin (output shapes, empty clouds, determinism, refusals).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <vector>

#include "concord/modules/encoder.hpp"
#include "concord/registry.hpp"
#include "pillar_feature_net.hpp"
#include "pillarizer.hpp"
#include "scatter.hpp"
#include "test_support.hpp"

namespace {

using concord::plugins::PillarGrid;
using concord::plugins::Pillars;

at::Tensor cloud(const std::vector<std::vector<float>>& rows) {
  at::Tensor t = at::zeros({static_cast<int64_t>(rows.size()), 4});
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < 4; ++j) t[i][j] = rows[i][j];
  }
  return t;
}

// x [-2, 2], y [-1.2, 1.2], z [-3, 1], 0.4 m pillars: nx = 10, ny = 6.
PillarGrid small_grid() {
  return PillarGrid::make(-2.0, 2.0, -1.2, 1.2, -3.0, 1.0, 0.4);
}

std::vector<int64_t> row(const at::Tensor& t) {
  at::Tensor c = t.contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

TEST(PointPillarsPillarize, HandPlacedPointsLandInTheirPillars) {
  const PillarGrid g = small_grid();
  EXPECT_EQ(g.nx, 10);
  EXPECT_EQ(g.ny, 6);
  at::Tensor pts = cloud({
      {0.1f, 0.1f, 0.0f, 0.5f},     // ix 5, iy 3
      {-1.9f, -1.1f, -1.0f, 0.2f},  // ix 0, iy 0
      {0.3f, 0.2f, 0.5f, 0.9f},     // ix 5, iy 3 (same pillar as the first)
      {5.0f, 0.0f, 0.0f, 0.0f},     // x outside
      {0.0f, 0.0f, 2.0f, 0.0f},     // z above
      {0.1f, 0.1f, -3.5f, 0.0f},    // z below
      {0.0f, 1.2f, 0.0f, 0.0f},     // y on the open upper bound
      {1.9f, 1.1f, 0.9f, 0.1f},     // ix 9, iy 5
  });
  Pillars p = concord::plugins::pillarize({pts}, g, 32, 100);
  EXPECT_EQ(p.batch_size, 1);
  ASSERT_EQ(p.points.sizes(), (std::vector<int64_t>{3, 32, 4}));
  // Pillars in order of their first point; coords are (b, iy, ix).
  EXPECT_EQ(row(p.coords), (std::vector<int64_t>{0, 3, 5, 0, 0, 0, 0, 5, 9}));
  EXPECT_EQ(row(p.num_points), (std::vector<int64_t>{2, 1, 1}));
  EXPECT_TRUE(at::equal(p.points[0][0], pts[0]));
  EXPECT_TRUE(at::equal(p.points[0][1], pts[2]));
  EXPECT_TRUE(at::equal(p.points[1][0], pts[1]));
  EXPECT_TRUE(at::equal(p.points[2][0], pts[7]));
  // Only those four slots are filled; the rest is zero padding.
  EXPECT_EQ((p.points.abs().sum(2) > 0).sum().item<int64_t>(), 4);
}

TEST(PointPillarsPillarize, TenFeaturesOfOnePillarByHand) {
  const PillarGrid g = small_grid();
  at::Tensor pts = cloud({{0.1f, 0.1f, 0.0f, 0.5f}, {0.3f, 0.2f, 0.5f, 0.9f}});
  Pillars p = concord::plugins::pillarize({pts}, g, 4, 100);
  at::Tensor f = concord::plugins::decorate_pillar_points(p, g);
  ASSERT_EQ(f.sizes(), (std::vector<int64_t>{1, 4, 10}));
  // Mean (0.2, 0.15, 0.25); centre of cell (iy 3, ix 5): x -2 + 5.5 * 0.4 = 0.2,
  // y -1.2 + 3.5 * 0.4 = 0.2, z (-3 + 1) / 2 = -1.
  at::Tensor expected =
      at::tensor({0.1f, 0.1f, 0.0f, 0.5f, -0.1f, -0.05f, -0.25f, -0.1f, -0.1f, 1.0f,
                  0.3f, 0.2f, 0.5f, 0.9f, 0.1f,  0.05f,  0.25f,  0.1f,  0.0f,  1.5f})
          .view({2, 10});
  EXPECT_TRUE(at::allclose(f[0].narrow(0, 0, 2), expected, 1e-5, 1e-6)) << f[0];
  EXPECT_EQ(f[0].narrow(0, 2, 2).abs().sum().item<float>(), 0.0f);  // padded slots are zero
}

TEST(PointPillarsPillarize, CapsPointsPerPillarAndPillarsInInputOrder) {
  const PillarGrid g = small_grid();
  // 40 points alternating between two pillars; intensity = input index / 100.
  std::vector<std::vector<float>> rows;
  for (int i = 0; i < 40; ++i) {
    rows.push_back({i % 2 ? 1.1f : -1.1f, 0.1f, 0.0f, static_cast<float>(i) / 100.0f});
  }
  Pillars p = concord::plugins::pillarize({cloud(rows)}, g, 8, 100);
  EXPECT_EQ(row(p.num_points), (std::vector<int64_t>{8, 8}));
  EXPECT_EQ(row(p.coords), (std::vector<int64_t>{0, 3, 2, 0, 3, 7}));
  at::Tensor first = p.points[0].select(1, 3);  // even indices 0, 2, ..., 14
  EXPECT_TRUE(at::allclose(first, at::arange(0, 16, 2, at::kFloat) / 100.0f));
  at::Tensor second = p.points[1].select(1, 3);  // odd indices 1, 3, ..., 15
  EXPECT_TRUE(at::allclose(second, at::arange(1, 17, 2, at::kFloat) / 100.0f));

  // Three pillars first seen in the order (ix 9, ix 0, ix 5); max_pillars 2 keeps the first two,
  // and a later point of a kept pillar is still added.
  at::Tensor pts = cloud({{1.9f, 0.1f, 0.0f, 0.0f},
                          {-1.9f, 0.1f, 0.0f, 0.0f},
                          {0.1f, 0.1f, 0.0f, 0.0f},
                          {1.8f, 0.1f, 0.0f, 0.0f}});
  p = concord::plugins::pillarize({pts}, g, 32, 2);
  EXPECT_EQ(row(p.coords), (std::vector<int64_t>{0, 3, 9, 0, 3, 0}));
  EXPECT_EQ(row(p.num_points), (std::vector<int64_t>{2, 1}));
}

TEST(PointPillarsPillarize, BatchesSamplesIncludingEmptyOnes) {
  const PillarGrid g = small_grid();
  at::Tensor a = cloud({{0.1f, 0.1f, 0.0f, 0.0f}});
  Pillars p = concord::plugins::pillarize({at::zeros({0, 4}), a, a}, g, 32, 100);
  EXPECT_EQ(p.batch_size, 3);
  EXPECT_EQ(row(p.coords), (std::vector<int64_t>{1, 3, 5, 2, 3, 5}));
  EXPECT_THROW(concord::plugins::pillarize({at::zeros({3, 3})}, g, 32, 100), c10::Error);
  EXPECT_THROW(concord::plugins::pillarize({at::zeros({3, 4}, at::kDouble)}, g, 32, 100),
               c10::Error);
  EXPECT_THROW(PillarGrid::make(-2.0, 2.1, -1.2, 1.2, -3.0, 1.0, 0.4), c10::Error);
}

TEST(PointPillarsPfn, EvalFusionMatchesLinearBatchNormReluMax) {
  concord::plugins::PFNLayer layer(10, 16, /*use_norm=*/true, /*last_layer=*/true);
  auto params = layer->named_parameters();
  auto buffers = layer->named_buffers();
  {
    at::NoGradGuard no_grad;
    buffers["norm.running_mean"].copy_(at::randn({16}));
    buffers["norm.running_var"].copy_(at::rand({16}) + 0.5);
    params["norm.weight"].copy_(at::randn({16}));
    params["norm.bias"].copy_(at::randn({16}));
  }
  layer->eval();
  at::Tensor x = at::randn({1100, 4, 10});  // > 2 chunks of 512 pillars
  at::Tensor h = at::linear(x, params["linear.weight"]);
  h = at::batch_norm(h.view({-1, 16}), params["norm.weight"], params["norm.bias"],
                     buffers["norm.running_mean"], buffers["norm.running_var"], false, 0.0, 1e-3,
                     false);
  at::Tensor expected = std::get<0>(at::relu(h).view({1100, 4, 16}).max(1));
  at::Tensor got = layer->forward(x);
  ASSERT_EQ(got.sizes(), expected.sizes());
  EXPECT_TRUE(at::allclose(got, expected, 1e-4, 1e-5));
}

TEST(PointPillarsScatter, PutsFeaturesAtTheirCellsAndKeepsGradients) {
  at::Tensor f = at::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({2, 2}).requires_grad_();
  at::Tensor coords = at::tensor({0, 1, 2, 1, 0, 3}, at::kLong).view({2, 3});
  at::Tensor bev = concord::plugins::scatter_to_bev(f, coords, 2, 2, 4);
  ASSERT_EQ(bev.sizes(), (std::vector<int64_t>{2, 2, 2, 4}));
  EXPECT_EQ(bev[0][1][1][2].item<float>(), 2.0f);
  EXPECT_EQ(bev[1][0][0][3].item<float>(), 3.0f);
  EXPECT_EQ(bev.sum().item<float>(), 10.0f);
  bev.sum().backward();
  EXPECT_TRUE(at::equal(f.grad(), at::ones({2, 2})));
  EXPECT_THROW(concord::plugins::scatter_to_bev(f, coords, 1, 2, 4), c10::Error);  // b = 1 >= B
}

// --- The real plugin ---------------------------------------------------------------------

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("pointpillars");
  return r;
}

concord::ParamSet defaults() {
  return concord::defaults_of(registry()->info("encoder", "pointpillars", 1).params, "test");
}

std::shared_ptr<concord::Encoder> encoder(const concord::ParamSet& p) {
  return registry()->create<concord::Encoder>("pointpillars", 1, p);
}

concord::SensorInput lidar(std::vector<at::Tensor> points) {
  concord::SensorInput in;
  in.points = std::move(points);
  return in;
}

at::Tensor random_cloud(int64_t n, double half_range, uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  at::Tensor xy = (at::rand({n, 2}, gen) * 2.0 - 1.0) * half_range;
  at::Tensor z = at::rand({n, 1}, gen) * 3.0 - 2.5;
  return at::cat({xy, z, at::rand({n, 1}, gen)}, 1);
}

TEST(PointPillarsPlugin, DefaultsGive64ChannelsAtTwicePillarSize) {
  auto p = defaults();
  EXPECT_EQ(p.get_float("pillar_size"), 0.4);
  EXPECT_EQ(p.get_int("max_points_per_pillar"), 32);
  // Keep the test fast: a 12.8 m square, 32 x 32 pillars → 16 x 16 cells of 0.8 m.
  p.set("x_min", -6.4);
  p.set("x_max", 6.4);
  p.set("y_min", -6.4);
  p.set("y_max", 6.4);
  auto enc = encoder(p);
  enc->eval();
  auto out = enc->forward(lidar({random_cloud(2000, 7.0, 1), random_cloud(500, 7.0, 2)}));
  EXPECT_EQ(out.bev.sizes(), (std::vector<int64_t>{2, 64, 16, 16}));
  EXPECT_FALSE(out.depth_logits.defined());
  EXPECT_TRUE(at::isfinite(out.bev).all().item<bool>());
}

TEST(PointPillarsPlugin, GridNotAMultipleOfEight) {
  auto p = defaults();
  // x [-6, 6.4] → 31 pillars, y [-4, 4.4] → 21 pillars; stride 2 rounds up: 16 x 11.
  p.set("x_min", -6.0);
  p.set("x_max", 6.4);
  p.set("y_min", -4.0);
  p.set("y_max", 4.4);
  p.set("backbone_num_filters", std::vector<int64_t>{32});
  p.set("out_channels", int64_t{16});  // adds the 3x3 projection
  auto enc = encoder(p);
  auto out = enc->forward(lidar({random_cloud(1000, 7.0, 3)}));
  EXPECT_EQ(out.bev.sizes(), (std::vector<int64_t>{1, 16, 11, 16}));
}

TEST(PointPillarsPlugin, EmptyCloudGivesFiniteOutput) {
  auto p = defaults();
  p.set("x_min", -3.2);
  p.set("x_max", 3.2);
  p.set("y_min", -3.2);
  p.set("y_max", 3.2);
  auto enc = encoder(p);
  for (bool train : {false, true}) {
    enc->train(train);
    auto out = enc->forward(lidar({at::zeros({0, 4}), random_cloud(50, 100.0, 4)}));
    EXPECT_EQ(out.bev.sizes(), (std::vector<int64_t>{2, 64, 8, 8}));
    EXPECT_TRUE(at::isfinite(out.bev).all().item<bool>()) << "train " << train;
  }
}

TEST(PointPillarsPlugin, DeterministicAndTrainable) {
  auto p = defaults();
  p.set("x_min", -6.4);
  p.set("x_max", 6.4);
  p.set("y_min", -6.4);
  p.set("y_max", 6.4);
  auto enc = encoder(p);
  enc->eval();
  auto in = lidar({random_cloud(3000, 7.0, 5)});
  at::Tensor a = enc->forward(in).bev;
  at::Tensor b = enc->forward(in).bev;
  EXPECT_TRUE(at::equal(a, b));
  // Training mode: gradients reach the PFN's first Linear.
  enc->train();
  enc->forward(in).bev.sum().backward();
  at::Tensor w = enc->named_parameters()["pillar_vfe.pfn_layers.0.linear.weight"];
  ASSERT_TRUE(w.grad().defined());
  EXPECT_GT(w.grad().abs().sum().item<float>(), 0.0f);
}

TEST(PointPillarsPlugin, RefusesBadInputAndParameters) {
  auto p = defaults();
  p.set("x_min", -3.2);
  p.set("x_max", 3.2);
  p.set("y_min", -3.2);
  p.set("y_max", 3.2);
  auto enc = encoder(p);
  EXPECT_THROW(enc->forward(lidar({})), c10::Error);
  EXPECT_THROW(enc->forward(lidar({at::zeros({5, 3})})), c10::Error);
  p.set("x_max", 3.3);  // not a whole number of pillars
  EXPECT_THROW(encoder(p), concord::RegistryError);
}

}  // namespace
