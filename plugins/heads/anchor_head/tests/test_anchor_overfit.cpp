// One-frame overfit through the real plugin: a small conv stack on a learnable
// input feature feeds the head; Adam on loss()["total"] must make decode()
// recover every GT box (centre within 0.3 m, score > 0.5, heading and size).
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>

#include "concord/modules/detection_head.hpp"
#include "test_support.hpp"

namespace {

constexpr double kPi = 3.14159265358979323846;

double angle_diff(double a, double b) {
  const double d = std::fmod(std::abs(a - b), 2 * kPi);
  return std::min(d, 2 * kPi - d);
}

TEST(AnchorHeadOverfit, AdamOnOneFrameRecoversEveryGtBox) {
  at::manual_seed(303);
  auto registry = concord::test::registry_with("anchor_head");
  const auto manifest = concord::test::built_manifest("anchor_head");
  concord::ParamSet p = concord::defaults_of(manifest.factories.at(0).params, "anchor_head");
  // 25.6 x 12.8 m at 0.8 m: a 16 x 32 feature map, 1024 anchors.
  p.set("in_channels", int64_t{16});
  p.set("x_min", 0.0);
  p.set("y_min", 0.0);
  p.set("x_max", 25.6);
  p.set("y_max", 12.8);
  auto head = registry->create<concord::DetectionHead>("anchor", 1, p);

  torch::nn::Sequential stack(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 16, 3).padding(1)), torch::nn::ReLU(),
      torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 16, 3).padding(1)), torch::nn::ReLU());
  at::Tensor feature = (at::randn({1, 8, 16, 32}) * 0.5).requires_grad_();

  // [x, y, z, h, w, l, yaw]: off-grid centres, one near 90 deg, one needing the
  // direction classifier to flip the regressed heading.
  const at::Tensor gt = at::tensor({6.3f,  4.1f, -0.9f, 1.5f, 1.8f, 4.2f, 0.3f,  //
                                    15.7f, 8.9f, -1.1f, 1.6f, 1.7f, 4.5f, 1.9f,  //
                                    21.2f, 3.3f, -1.0f, 1.5f, 1.6f, 3.8f, -2.6f})
                            .view({3, 7});

  std::vector<at::Tensor> params = head->parameters();
  for (const auto& q : stack->parameters()) params.push_back(q);
  params.push_back(feature);
  torch::optim::Adam adam(params, torch::optim::AdamOptions(5e-3));
  const auto start = std::chrono::steady_clock::now();
  double first = 0.0, last = 0.0;
  for (int step = 0; step < 300; ++step) {
    adam.zero_grad();
    auto terms = head->loss(head->forward(stack->forward(feature)), {gt});
    terms.at("total").backward();
    adam.step();
    last = terms.at("total").item<double>();
    if (step == 0) first = last;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(last, 0.1 * first) << "loss " << first << " -> " << last;
  EXPECT_LT(seconds, 20.0);

  torch::NoGradGuard no_grad;
  const auto dets = head->decode(head->forward(stack->forward(feature)), 0.5);
  ASSERT_EQ(dets.size(), 1u);
  const at::Tensor boxes = dets[0].boxes;
  const at::Tensor scores = dets[0].scores;
  for (int64_t g = 0; g < gt.size(0); ++g) {
    const at::Tensor dist = (boxes.narrow(1, 0, 2) - gt[g].narrow(0, 0, 2)).norm(2, 1);
    const at::Tensor close = (dist < 0.3).nonzero().squeeze(1);
    ASSERT_GT(close.size(0), 0) << "GT " << g << " not recovered";
    const int64_t best =
        close[scores.index_select(0, close).argmax().item<int64_t>()].item<int64_t>();
    EXPECT_GT(scores[best].item<double>(), 0.5);
    EXPECT_LT(angle_diff(boxes[best][6].item<double>(), gt[g][6].item<double>()), 0.2)
        << "GT " << g << " heading";
    EXPECT_TRUE(at::allclose(boxes[best].narrow(0, 2, 4), gt[g].narrow(0, 2, 4), 0.0, 0.2))
        << "GT " << g << " z / size " << boxes[best];
  }
}

}  // namespace
