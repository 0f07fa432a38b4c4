// Building blocks of the negotiators, compiled in directly: the estimator (sigmoid and the
// official raw logit), the ResNeXt Bottleneck, the window partitions and the windowed
// transformer's locality, and the FPN's option checks.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "concord/error.hpp"
#include "estimator.hpp"
#include "fpn_negotiator.hpp"
#include "resnext_blocks.hpp"
#include "window_partition.hpp"
#include "window_transformer_trunk.hpp"

namespace {

using namespace concord::plugins::negotiators;

int64_t count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

/// Sets the estimator's 1x1 conv to weight [1, -1] and bias 0.5.
void set_estimator(EstimatorImpl& e) {
  at::NoGradGuard no_grad;
  for (auto& item : e.named_parameters()) {
    if (item.key().find("bias") != std::string::npos) {
      item.value().fill_(0.5);
    } else {
      item.value().copy_(at::tensor({1.0f, -1.0f}).reshape({1, 2, 1, 1}));
    }
  }
}

TEST(NegotiatorInternals, EstimatorWeightsTheFeatureBySigmoidOrRawLogit) {
  // Cell features (3, 1): logit = 3 - 1 + 0.5 = 2.5.
  at::Tensor feature = at::tensor({3.0f, 1.0f}).reshape({1, 2, 1, 1});
  Estimator raw(2, /*sigmoid=*/false);
  set_estimator(*raw);
  EXPECT_TRUE(at::allclose(raw->forward(feature), at::tensor({7.5f, 2.5f}).reshape({1, 2, 1, 1}),
                           1e-6, 1e-6));
  Estimator weighted(2, /*sigmoid=*/true);
  set_estimator(*weighted);
  const float s = 1.0f / (1.0f + std::exp(-2.5f));  // 0.924142
  EXPECT_TRUE(at::allclose(weighted->forward(feature),
                           at::tensor({3.0f * s, s}).reshape({1, 2, 1, 1}), 1e-6, 1e-6));
}

TEST(NegotiatorInternals, MeanOverModalities) {
  at::Tensor a = at::full({1, 2, 1, 1}, 2.0f);
  at::Tensor b = at::full({1, 2, 1, 1}, 7.0f);
  EXPECT_TRUE(at::allclose(mean_over_modalities({a, b}), at::full({1, 2, 1, 1}, 4.5f)));
  EXPECT_THROW(mean_over_modalities({}), c10::Error);
}

TEST(NegotiatorInternals, ResNeXtBottleneckWidthAndStride) {
  // width 128: 64*128 + 256 + 128*4*9 + 256 + 128*64 + 128 = 21632.
  Bottleneck plain(64, 64, 1, 32, 4);
  EXPECT_EQ(count(*plain), 21632);
  // Stride 2 adds the 1x1 projection + BN: 4096 + 128.
  Bottleneck strided(64, 64, 2, 32, 4);
  EXPECT_EQ(count(*strided), 21632 + 4224);
  strided->eval();
  EXPECT_EQ(strided->forward(at::randn({1, 64, 37, 53})).sizes(),
            (std::vector<int64_t>{1, 64, 19, 27}));
  // planes 32 x width_per_group 1 / 64 = 0 channels per group.
  EXPECT_THROW(Bottleneck(32, 32, 1, 32, 1), c10::Error);
}

TEST(NegotiatorInternals, WindowPartitionsPickTheDocumentedCells) {
  // A [1, 4, 6, 1] map whose value is 10 * row + column; window 2 -> 2 x 3 windows.
  at::Tensor rows = at::arange(4, at::kFloat).reshape({4, 1}) * 10;
  at::Tensor map = (rows + at::arange(6, at::kFloat).reshape({1, 6})).reshape({1, 4, 6, 1});
  at::Tensor local = partition_windows(map, 2, WindowLayout::kLocal);
  ASSERT_EQ(local.sizes(), (std::vector<int64_t>{6, 4, 1}));
  // Local window (X=1, Y=2) = index 5: cells (2..3, 4..5).
  EXPECT_TRUE(at::equal(local[5].reshape({4}), at::tensor({24.0f, 25.0f, 34.0f, 35.0f})));
  at::Tensor grid = partition_windows(map, 2, WindowLayout::kGrid);
  // Grid window (X=1, Y=2) = index 5: cells (i*2 + 1, j*3 + 2) for i, j in {0, 1}.
  EXPECT_TRUE(at::equal(grid[5].reshape({4}), at::tensor({12.0f, 15.0f, 32.0f, 35.0f})));
  for (auto layout : {WindowLayout::kLocal, WindowLayout::kGrid}) {
    at::Tensor x = at::randn({2, 16, 24, 3});
    EXPECT_TRUE(at::equal(merge_windows(partition_windows(x, 8, layout), 2, 16, 24, 8, layout), x));
  }
  EXPECT_THROW(partition_windows(at::randn({1, 5, 8, 1}), 2, WindowLayout::kLocal), c10::Error);
}

TEST(NegotiatorInternals, LocalWindowsAreIndependentAndGridWindowsConnectThem) {
  at::manual_seed(0);
  // 16 x 16 map, window 8: a change in the top-left local window stays there after one local
  // block, and reaches the bottom-right window after a local + grid pair.
  at::Tensor x = at::randn({1, 16, 16, 16});
  at::Tensor changed = x.clone();
  changed.index_put_({0, at::indexing::Slice(), 2, 3}, 5.0);
  auto bottom_right = [](const at::Tensor& y) { return y.narrow(2, 8, 8).narrow(3, 8, 8); };
  at::NoGradGuard no_grad;
  WindowTransformerTrunk local_only(16, 1, 4, 8, 2);
  EXPECT_TRUE(
      at::equal(bottom_right(local_only.forward(x)), bottom_right(local_only.forward(changed))));
  EXPECT_FALSE(at::equal(local_only.forward(x).narrow(2, 0, 8).narrow(3, 0, 8),
                         local_only.forward(changed).narrow(2, 0, 8).narrow(3, 0, 8)));
  WindowTransformerTrunk local_and_grid(16, 2, 4, 8, 2);
  EXPECT_FALSE(at::allclose(bottom_right(local_and_grid.forward(x)),
                            bottom_right(local_and_grid.forward(changed))));
}

TEST(NegotiatorInternals, MaskedPaddingDoesNotLeakIntoRealCells) {
  at::manual_seed(1);
  at::NoGradGuard no_grad;
  // A 16 x 16 map whose real part is 13 x 11: whatever the padded cells hold, the real cells'
  // outputs are the same, for local and grid windows.
  at::Tensor mask = at::zeros({1, 16, 16, 1});
  mask.narrow(1, 0, 13).narrow(2, 0, 11).fill_(1.0);
  at::Tensor x = at::randn({1, 16, 16, 16});
  at::Tensor garbage = x * mask + at::randn({1, 16, 16, 16}) * 100.0 * (1 - mask);
  for (auto layout : {WindowLayout::kLocal, WindowLayout::kGrid}) {
    WindowAttentionBlock block(16, 4, 8, 2, layout);
    at::Tensor a = block->forward(x, mask).narrow(1, 0, 13).narrow(2, 0, 11);
    at::Tensor b = block->forward(garbage, mask).narrow(1, 0, 13).narrow(2, 0, 11);
    EXPECT_TRUE(at::allclose(a, b, 1e-5, 1e-5))
        << "max |diff| " << (a - b).abs().max().item<float>();
    // Without the mask the padding is attended to.
    at::Tensor c = block->forward(garbage, at::Tensor()).narrow(1, 0, 13).narrow(2, 0, 11);
    EXPECT_FALSE(at::allclose(a, c, 1e-5, 1e-5));
  }
  // Through the trunk: 13 x 11 in, 13 x 11 out; with one local block the top-left 8 x 8 window
  // holds only real cells, so it matches the same cells of a larger map.
  WindowTransformerTrunk trunk(16, 1, 4, 8, 2);
  at::Tensor big = at::randn({1, 16, 16, 16});
  at::Tensor from_small = trunk.forward(big.narrow(2, 0, 13).narrow(3, 0, 11).contiguous());
  ASSERT_EQ(from_small.sizes(), (std::vector<int64_t>{1, 16, 13, 11}));
  EXPECT_TRUE(at::allclose(from_small.narrow(2, 0, 8).narrow(3, 0, 8),
                           trunk.forward(big).narrow(2, 0, 8).narrow(3, 0, 8), 1e-5, 1e-6));
}

TEST(NegotiatorInternals, FpnRefusesInconsistentOptions) {
  FpnNegotiatorOptions o;
  o.upsample_strides = {1, 4};
  EXPECT_THROW(FpnNegotiator{o}, concord::ConfigError);
  o = FpnNegotiatorOptions{};
  o.layer_nums = {3};
  EXPECT_THROW(FpnNegotiator{o}, concord::ConfigError);
  o = FpnNegotiatorOptions{};
  o.layer_strides = {0, 2};
  EXPECT_THROW(FpnNegotiator{o}, concord::ConfigError);
}

}  // namespace
