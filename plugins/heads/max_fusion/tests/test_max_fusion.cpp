// Max fusion, loaded through the real plugin library and registry.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "concord/modules/fusion.hpp"
#include "test_support.hpp"

namespace {

std::shared_ptr<concord::Fusion> make_fusion() {
  static auto registry = concord::test::registry_with("max_fusion");
  return registry->create<concord::Fusion>("max", -1, concord::ParamSet{});
}

TEST(MaxFusion, TakesElementwiseMaximumPerSample) {
  auto fusion = make_fusion();
  // Sample 0 has agents {a, b}; sample 1 has agent {c} only.
  at::Tensor a = at::tensor({1.f, -2.f, 3.f, 0.f}).view({1, 1, 2, 2});
  at::Tensor b = at::tensor({0.f, 5.f, -1.f, -4.f}).view({1, 1, 2, 2});
  at::Tensor c = at::tensor({7.f, 8.f, 9.f, 10.f}).view({1, 1, 2, 2});
  concord::FusionInput in{at::cat({a, b, c}), {2, 1}, {}};
  at::Tensor out = fusion->forward(in).fused;
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 1, 2, 2}));
  EXPECT_TRUE(at::equal(out[0], at::tensor({1.f, 5.f, 3.f, 0.f}).view({1, 2, 2})));
  EXPECT_TRUE(at::equal(out[1], c[0]));
}

TEST(MaxFusion, IgnoresInvalidCellsAndZeroesUncovered) {
  auto fusion = make_fusion();
  at::Tensor a = at::tensor({-3.f, -2.f, 3.f, 1.f}).view({1, 1, 2, 2});
  at::Tensor b = at::tensor({9.f, 5.f, -1.f, 4.f}).view({1, 1, 2, 2});
  // b is invalid at cells 0 and 3; a is invalid at cell 3 -> cell 3 covered by nobody.
  at::Tensor va = at::tensor({1.f, 1.f, 1.f, 0.f}).view({1, 1, 2, 2});
  at::Tensor vb = at::tensor({0.f, 1.f, 1.f, 0.f}).view({1, 1, 2, 2});
  concord::FusionInput in{at::cat({a, b}), {2}, at::cat({va, vb})};
  at::Tensor out = fusion->forward(in).fused;
  EXPECT_TRUE(at::equal(out[0], at::tensor({-3.f, 5.f, 3.f, 0.f}).view({1, 2, 2})));
}

TEST(MaxFusion, RefusesAgentCountMismatch) {
  auto fusion = make_fusion();
  concord::FusionInput in{at::zeros({3, 2, 4, 4}), {2, 2}, {}};
  EXPECT_THROW(fusion->forward(in), c10::Error);
}

}  // namespace

namespace {

// Runs only where a CUDA LibTorch and a GPU are present (ctest -L gpu); skipped elsewhere.
TEST(MaxFusionGpu, MatchesCpuOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible";
  auto fusion = make_fusion();
  at::Tensor x = at::randn({3, 4, 5, 6});
  concord::FusionInput cpu{x, {2, 1}, {}};
  concord::FusionInput gpu{x.cuda(), {2, 1}, {}};
  EXPECT_TRUE(at::allclose(fusion->forward(cpu).fused, fusion->forward(gpu).fused.cpu()));
}

}  // namespace
