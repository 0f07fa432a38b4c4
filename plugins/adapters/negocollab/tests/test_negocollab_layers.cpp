// NegoCollab sender/receiver layers, compiled into the test: window/grid partitions,
// relative position index, ResizeNet, ConvNeXt at init, CBAM, the aligner's zero padding
// and the converter's window locality.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/module.h>

#include "axial_attention.hpp"
#include "cbam.hpp"
#include "convnext.hpp"
#include "cross_domain_converter.hpp"
#include "resize_net.hpp"

namespace nc = concord::plugins::negocollab;

namespace {

int64_t count_parameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

/// x [1, 1, H, W] whose value at (r, c) is r * 100 + c.
at::Tensor coordinate_map(int64_t h, int64_t w) {
  at::Tensor r = at::arange(h, at::kFloat).view({h, 1});
  at::Tensor c = at::arange(w, at::kFloat).view({1, w});
  return (r * 100 + c).view({1, 1, h, w});
}

TEST(NegoCollabWindows, WindowPartitionGroupsContiguousBlocks) {
  // 8 x 12 map, window 4: X = 2, Y = 3. Window (x=1, y=2) is group 1 * 3 + 2 = 5;
  // its token i * 4 + j is cell (4 + i, 8 + j).
  at::Tensor t = nc::window_partition(coordinate_map(8, 12), 4);
  ASSERT_EQ(t.sizes(), (at::IntArrayRef{6, 16, 1}));
  EXPECT_EQ(t[5][0][0].item<float>(), 4 * 100 + 8);
  EXPECT_EQ(t[5][2 * 4 + 3][0].item<float>(), 6 * 100 + 11);
  EXPECT_TRUE(at::equal(nc::window_merge(t, 4, 8, 12), coordinate_map(8, 12)));
}

TEST(NegoCollabWindows, GridPartitionGroupsDilatedCells) {
  // Grid of an 8 x 12 map, window 4: X = 2, Y = 3. Group (x=1, y=2) = 5 holds cells
  // (i * 2 + 1, j * 3 + 2): token 0 is (1, 2), token 2 * 4 + 3 is (5, 11).
  at::Tensor t = nc::grid_partition(coordinate_map(8, 12), 4);
  ASSERT_EQ(t.sizes(), (at::IntArrayRef{6, 16, 1}));
  EXPECT_EQ(t[5][0][0].item<float>(), 1 * 100 + 2);
  EXPECT_EQ(t[5][2 * 4 + 3][0].item<float>(), 5 * 100 + 11);
  EXPECT_TRUE(at::equal(nc::grid_merge(t, 4, 8, 12), coordinate_map(8, 12)));
  EXPECT_THROW(nc::grid_partition(at::zeros({1, 1, 9, 12}), 4), c10::Error);
}

TEST(NegoCollabWindows, PadToWindowAddsZerosRightAndBottom) {
  at::Tensor x = at::ones({1, 2, 37, 53});
  at::Tensor p = nc::pad_to_window(x, 8);
  ASSERT_EQ(p.sizes(), (at::IntArrayRef{1, 2, 40, 56}));
  EXPECT_EQ(p.sum().item<float>(), 2 * 37 * 53);
  EXPECT_EQ(p[0][0][36][52].item<float>(), 1.0f);
  EXPECT_EQ(p[0][0][37][0].item<float>(), 0.0f);
}

TEST(NegoCollabWindows, RelativePositionIndex) {
  // w = 8: table (2w-1)^2 = 225; same token -> (w-1)(2w-1) + (w-1) = 7*15 + 7 = 112;
  // i = (0,0), j = (7,7) -> (0-7+7)*15 + (0-7+7) = 0; i = (7,7), j = (0,0) -> 14*15 + 14 = 224;
  // i = (0,1), j = (1,0) -> (0-1+7)*15 + (1-0+7) = 98.
  at::Tensor idx = nc::relative_position_index(8);
  ASSERT_EQ(idx.sizes(), (at::IntArrayRef{64, 64}));
  EXPECT_TRUE(at::equal(idx.diagonal(), at::full({64}, 112, at::kLong)));
  EXPECT_EQ(idx[0][63].item<int64_t>(), 0);
  EXPECT_EQ(idx[63][0].item<int64_t>(), 224);
  EXPECT_EQ(idx[1][8].item<int64_t>(), 98);
  EXPECT_EQ(idx.max().item<int64_t>(), 224);
}

TEST(NegoCollabResizeNet, CellCounts) {
  EXPECT_EQ(nc::resized_cells(256, 0.4, 0.8), 128);
  EXPECT_EQ(nc::resized_cells(37, 0.4, 0.8), 18);  // int(18.5), as the official code
  EXPECT_EQ(nc::resized_cells(37, 0.8, 0.4), 74);
  EXPECT_EQ(nc::resized_cells(3, 0.3, 0.1), 9);  // 3 * 0.3 / 0.1 = 8.999999999999998 in double
  EXPECT_THROW(nc::resized_cells(1, 0.4, 0.8), c10::Error);
  EXPECT_THROW(nc::resized_cells(4, 0.0, 0.8), c10::Error);
}

TEST(NegoCollabResizeNet, IdentityWithoutParametersWhenNothingChanges) {
  nc::ResizeNet net(64, 64);
  EXPECT_EQ(count_parameters(*net), 0);
  at::Tensor x = at::randn({2, 64, 5, 7});
  EXPECT_TRUE(at::equal(net->forward(x, 5, 7), x));
}

TEST(NegoCollabResizeNet, ConvAndResizeCommute) {
  // 1x1 conv 128 -> 64 with bias: 128 * 64 + 64 = 8256 parameters.
  nc::ResizeNet down(128, 64);
  EXPECT_EQ(count_parameters(*down), 8256);
  at::Tensor x = at::randn({1, 128, 10, 14});
  at::Tensor y = down->forward(x, 5, 7);
  ASSERT_EQ(y.sizes(), (at::IntArrayRef{1, 64, 5, 7}));
  // The conv ran after the resize here; the other order gives the same result.
  auto conv = down->named_children()[0].value()->as<torch::nn::Conv2d>();
  ASSERT_NE(conv, nullptr);
  at::Tensor other = at::upsample_bilinear2d(conv->forward(x), {5, 7}, false);
  EXPECT_TRUE(at::allclose(y, other, 1e-4, 1e-5));
  // A constant map stays constant under bilinear resizing.
  nc::ResizeNet up(4, 4);
  at::Tensor c = up->forward(at::full({1, 4, 3, 5}, 2.5), 6, 10);
  EXPECT_TRUE(at::allclose(c, at::full({1, 4, 6, 10}, 2.5)));
}

TEST(NegoCollabConvNeXt, BlockIsNearlyIdentityAtInit) {
  // Per block: dwconv 64*49 + 64 = 3200, LN 2*64 = 128, pwconv1 64*256 + 256 = 16640,
  // pwconv2 256*64 + 64 = 16448, gamma 64 -> 36480.
  nc::ConvNeXtBlock block(64);
  EXPECT_EQ(count_parameters(*block), 36480);
  torch::NoGradGuard no_grad;
  at::Tensor x = at::randn({1, 64, 9, 11});
  at::Tensor branch = block->forward(x) - x;
  // gamma = 1e-6 scales a branch output of order 1.
  EXPECT_LT(branch.abs().max().item<float>(), 1e-4);
  EXPECT_GT(branch.abs().max().item<float>(), 0.0f);
  // Hand check: with pwconv2's weight zero the branch is gamma * bias for every cell.
  block->pwconv2->weight.zero_();
  block->pwconv2->bias.copy_(at::arange(64, at::kFloat) * 1000.0);  // 1e-6 * 1000 c = 1e-3 c
  at::Tensor expected = (at::arange(64, at::kFloat) * 1e-3).view({1, 64, 1, 1}).expand_as(x);
  EXPECT_TRUE(at::allclose(block->forward(x) - x, expected, 0.0, 1e-5));
  // Without the layer scale the block is far from the identity.
  block->gamma.fill_(1.0);
  EXPECT_GT((block->forward(x) - x).abs().max().item<float>(), 1.0f);
}

TEST(NegoCollabCbam, ZeroSecondConvLeavesReluOfInput) {
  // Parameters: conv1 64*64 = 4096, bn1 128, conv2 4096, bn2 128, channel MLP
  // 64*4 + 4*64 = 512, spatial conv 2*49 = 98 -> 9058.
  nc::CbamBlock block(64);
  EXPECT_EQ(count_parameters(*block), 9058);
  at::Tensor x = at::randn({2, 64, 6, 7});
  at::Tensor y = block->forward(x);
  ASSERT_EQ(y.sizes(), x.sizes());
  EXPECT_GE(y.min().item<float>(), 0.0f);
  // conv2 = 0 -> bn2 sees zeros -> (0 - 0) / sqrt(0 + eps) * 1 + 0 = 0; attention of 0 is 0,
  // so the block is ReLU(0 + x).
  {
    torch::NoGradGuard no_grad;
    for (auto& p : block->named_parameters()) {
      if (p.key() == "conv2.weight") p.value().zero_();
    }
  }
  EXPECT_TRUE(at::allclose(block->forward(x), at::relu(x)));
}

nc::AxialAttentionOptions small_aligner() {
  nc::AxialAttentionOptions o;
  o.channels = 16;
  o.heads = 4;
  o.window = 8;
  o.mlp_dim = 16;
  return o;
}

TEST(NegoCollabAligner, ZeroPaddingEqualsAppendedZeroRowsAndColumns) {
  nc::AxialAttention aligner(small_aligner());
  aligner->eval();
  torch::NoGradGuard no_grad;
  at::Tensor x = at::randn({2, 16, 21, 13});
  at::Tensor y = aligner->forward(x);
  ASSERT_EQ(y.sizes(), x.sizes());
  // Appending zeros up to 24 x 16 is what the padding does: the valid region agrees.
  at::Tensor padded = at::constant_pad_nd(x, {0, 3, 0, 3}, 0.0);
  at::Tensor y_padded = aligner->forward(padded).narrow(2, 0, 21).narrow(3, 0, 13);
  EXPECT_TRUE(at::allclose(y, y_padded, 1e-5, 1e-5));
  // Zeros put on the top/left instead shift every window: the result changes.
  at::Tensor shifted = at::constant_pad_nd(x, {3, 0, 3, 0}, 0.0);
  at::Tensor y_shifted = aligner->forward(shifted).narrow(2, 3, 21).narrow(3, 3, 13);
  EXPECT_FALSE(at::allclose(y, y_shifted, 1e-3, 1e-3));
}

TEST(NegoCollabAligner, GridAttentionReachesEveryWindow) {
  // 16 x 16 map, window 8, X = Y = 2. A change at (0, 0) spreads over local window (0, 0)
  // (rows, cols 0-7) in the window stage; grid group (x, y) holds cells (2i + x, 2j + y),
  // so each group contains cells of window (0, 0) and the grid stage reaches every cell.
  nc::AxialAttention aligner(small_aligner());
  aligner->eval();
  torch::NoGradGuard no_grad;
  at::Tensor x = at::randn({1, 16, 16, 16});
  at::Tensor x2 = x.clone();
  // A random vector: a constant over the channels would vanish in the LayerNorms.
  x2.narrow(2, 0, 1).narrow(3, 0, 1).add_(at::randn({1, 16, 1, 1}) * 3.0);
  at::Tensor d = (aligner->forward(x2) - aligner->forward(x)).abs().sum(1)[0];
  EXPECT_GT(d.min().item<float>(), 1e-5f);
}

nc::CrossDomainConverterOptions small_converter() {
  nc::CrossDomainConverterOptions o;
  o.channels = 16;
  o.heads = 4;
  o.window = 8;
  return o;
}

TEST(NegoCollabConverter, ParameterCountOfTheDefaults) {
  // q/k/v: 3 * (LN 128 + Linear 64*64 + 64) = 12864, proj 4160 -> 17024; pre-norm 128,
  // FFN 64*128 + 128 + 128*64 + 64 = 16576, post-norm 128 -> block 33856;
  // mlp_head LN 128 + Linear 4160 = 4288 -> 38144.
  nc::CrossDomainConverter converter(nc::CrossDomainConverterOptions{});
  EXPECT_EQ(count_parameters(*converter), 38144);
}

TEST(NegoCollabConverter, ZeroPaddingEqualsAppendedZeros) {
  nc::CrossDomainConverter converter(small_converter());
  torch::NoGradGuard no_grad;
  at::Tensor q = at::randn({2, 16, 13, 19});
  at::Tensor p = at::randn({2, 16, 13, 19});
  at::Tensor y = converter->forward(q, p);
  ASSERT_EQ(y.sizes(), q.sizes());
  auto pad = [](const at::Tensor& t) { return at::constant_pad_nd(t, {0, 5, 0, 3}, 0.0); };
  at::Tensor y_padded = converter->forward(pad(q), pad(p)).narrow(2, 0, 13).narrow(3, 0, 19);
  EXPECT_TRUE(at::allclose(y, y_padded, 1e-5, 1e-5));
}

TEST(NegoCollabConverter, OutputDependsOnlyOnItsOwnWindow) {
  // 13 x 19 pads to 16 x 24: windows rows {0-7, 8-12}, cols {0-7, 8-15, 16-18}.
  // Queries do not attend to each other: a query change moves only its own cells. A
  // prompt (key/value) change moves every cell of its window and nothing outside it.
  nc::CrossDomainConverter converter(small_converter());
  torch::NoGradGuard no_grad;
  at::Tensor q = at::randn({1, 16, 13, 19});
  at::Tensor p = at::randn({1, 16, 13, 19});
  at::Tensor y = converter->forward(q, p);
  at::Tensor changed = at::zeros({13, 19}, at::kBool);
  changed.narrow(0, 9, 2).narrow(1, 17, 2).fill_(true);
  at::Tensor window = at::zeros({13, 19}, at::kBool);
  window.narrow(0, 8, 5).narrow(1, 16, 3).fill_(true);  // the bottom-right (partial) window
  // A random vector: a constant over the channels would vanish in the LayerNorms.
  at::Tensor delta = at::randn({1, 16, 2, 2}) * 3.0;

  at::Tensor q2 = q.clone();
  q2.narrow(2, 9, 2).narrow(3, 17, 2).add_(delta);
  at::Tensor dq = (converter->forward(q2, p) - y).abs().sum(1)[0];  // [13, 19]
  EXPECT_EQ(dq.masked_select(changed.logical_not()).max().item<float>(), 0.0f);
  EXPECT_GT(dq.masked_select(changed).min().item<float>(), 1e-4f);

  at::Tensor p2 = p.clone();
  p2.narrow(2, 9, 2).narrow(3, 17, 2).add_(delta);
  at::Tensor dp = (converter->forward(q, p2) - y).abs().sum(1)[0];
  EXPECT_EQ(dp.masked_select(window.logical_not()).max().item<float>(), 0.0f);
  EXPECT_GT(dp.masked_select(window).min().item<float>(), 1e-5f);
}

}  // namespace
