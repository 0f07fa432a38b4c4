// SECOND encoder: rule books on hand-made layouts, sparse conv == dense conv3d,
// MeanVFE, HeightCompression layout, gradients, and the real plugin (output grid
// = pointpillars', refusals, latency).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "concord/modules/encoder.hpp"
#include "concord/precision.hpp"
#include "concord/registry.hpp"
#include "height_compression.hpp"
#include "rule_book.hpp"
#include "sparse_conv.hpp"
#include "test_support.hpp"
#include "voxel_backbone_8x.hpp"
#include "voxelizer.hpp"

namespace {

using concord::plugins::ConvGeometry;
using concord::plugins::RuleBook;
using concord::plugins::Shape3;
using concord::plugins::SparseTensor;
using concord::plugins::VoxelGrid;

std::vector<int64_t> values(const at::Tensor& t) {
  at::Tensor c = t.to(at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

at::Tensor sites(const std::vector<std::vector<int32_t>>& rows) {
  at::Tensor t = at::empty({static_cast<int64_t>(rows.size()), 4}, at::kInt);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < 4; ++j) t[static_cast<int64_t>(i)][static_cast<int64_t>(j)] = rows[i][j];
  }
  return t;
}

// (k, in row, out row) triples of a rule book, sorted.
std::vector<std::tuple<int64_t, int64_t, int64_t>> triples(const RuleBook& rb) {
  std::vector<std::tuple<int64_t, int64_t, int64_t>> out;
  for (size_t k = 0; k < rb.in_rows.size(); ++k) {
    const auto in = values(rb.in_rows[k]);
    const auto o = values(rb.out_rows[k]);
    for (size_t i = 0; i < in.size(); ++i) out.emplace_back(static_cast<int64_t>(k), in[i], o[i]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SecondRuleBook, SubmanifoldPairsOfThreeVoxelsByHand) {
  // A (1, 1, 1), B (1, 1, 2) face neighbours; C (2, 2, 2) touches A by a corner
  // and B by an edge. Offset k = (dz+1)·9 + (dy+1)·3 + (dx+1) of input − output.
  const at::Tensor idx = sites({{0, 1, 1, 1}, {0, 1, 1, 2}, {0, 2, 2, 2}});
  const RuleBook rb = concord::plugins::build_submanifold_rules(idx, {4, 4, 4}, 1);
  ASSERT_EQ(rb.in_rows.size(), 27u);
  EXPECT_TRUE(at::equal(rb.out_indices, idx));
  EXPECT_EQ(rb.num_out(), 3);
  using T = std::tuple<int64_t, int64_t, int64_t>;
  const std::vector<T> expected{
      T{0, 0, 2},                             // out C, in A: A − C = (−1, −1, −1)
      T{1, 1, 2},                             // out C, in B: (−1, −1, 0)
      T{12, 0, 1},                            // out B, in A: (0, 0, −1)
      T{13, 0, 0}, T{13, 1, 1}, T{13, 2, 2},  // centre
      T{14, 1, 0},                            // out A, in B: (0, 0, 1)
      T{25, 2, 1},                            // out B, in C: (1, 1, 0)
      T{26, 2, 0},                            // out A, in C: (1, 1, 1)
  };
  EXPECT_EQ(triples(rb), expected);
  EXPECT_EQ(rb.num_pairs(), 9);

  // The same site in another sample is no neighbour.
  const RuleBook two =
      concord::plugins::build_submanifold_rules(sites({{0, 1, 1, 1}, {1, 1, 1, 2}}), {4, 4, 4}, 2);
  EXPECT_EQ(triples(two), (std::vector<T>{T{13, 0, 0}, T{13, 1, 1}}));
  // Refusals: duplicate site, site outside the grid, wrong dtype.
  EXPECT_THROW(
      concord::plugins::build_submanifold_rules(sites({{0, 1, 1, 1}, {0, 1, 1, 1}}), {4, 4, 4}, 1),
      c10::Error);
  EXPECT_THROW(concord::plugins::build_submanifold_rules(sites({{0, 4, 1, 1}}), {4, 4, 4}, 1),
               c10::Error);
  EXPECT_THROW(concord::plugins::build_submanifold_rules(idx.to(at::kLong), {4, 4, 4}, 1),
               c10::Error);
}

TEST(SecondRuleBook, StridedOutputSitesByHand) {
  // Grid (3, 4, 4), kernel 3, stride 2, padding 1 → output (2, 2, 2); o = (p + 1 − k) / 2.
  // p = (0, 0, 0) reaches only o = (0, 0, 0) through k = (1, 1, 1) = 13.
  // p = (1, 2, 3): z → o 1 (k 0) or 0 (k 2); y → o 1 (k 1); x → o 1 (k 2), o 2 is outside.
  const ConvGeometry g{{3, 3, 3}, {2, 2, 2}, {1, 1, 1}};
  const RuleBook rb =
      concord::plugins::build_strided_rules(sites({{0, 0, 0, 0}, {0, 1, 2, 3}}), {3, 4, 4}, 1, g);
  EXPECT_EQ(rb.out_shape, (Shape3{2, 2, 2}));
  EXPECT_EQ(values(rb.out_indices), (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1}));
  using T = std::tuple<int64_t, int64_t, int64_t>;
  // (z0 y1 x2) = 0·9 + 1·3 + 2 = 5 → out (1, 1, 1); (2, 1, 2) = 23 → out (0, 1, 1).
  EXPECT_EQ(triples(rb), (std::vector<T>{T{5, 1, 2}, T{13, 0, 0}, T{23, 1, 1}}));

  // HEAL conv_out: kernel (3, 1, 1), stride (2, 1, 1), no padding: depth 5 → 2.
  const ConvGeometry out{{3, 1, 1}, {2, 1, 1}, {0, 0, 0}};
  const RuleBook down = concord::plugins::build_strided_rules(
      sites({{0, 0, 1, 1}, {0, 2, 1, 1}, {0, 4, 0, 1}}), {5, 2, 2}, 1, out);
  EXPECT_EQ(down.out_shape, (Shape3{2, 2, 2}));
  // z 0 → o 0 (k 0); z 2 → o 1 (k 0) and o 0 (k 2); z 4 → o 1 (k 2).
  EXPECT_EQ(values(down.out_indices), (std::vector<int64_t>{0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1}));
  EXPECT_EQ(triples(down), (std::vector<T>{T{0, 0, 0}, T{0, 1, 2}, T{2, 1, 0}, T{2, 2, 1}}));
  EXPECT_THROW(concord::plugins::conv_output_shape({2, 4, 4}, out), c10::Error);  // depth < 3
}

// Random distinct sites in a [B, D, H, W] grid, about `fraction` of the cells.
at::Tensor random_sites(int64_t b, const Shape3& s, double fraction, uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor mask = at::rand({b, s[0], s[1], s[2]}, gen) < fraction;
  return mask.nonzero().to(at::kInt);
}

at::Tensor densify(const at::Tensor& features, const at::Tensor& idx, int64_t b, const Shape3& s) {
  at::Tensor dense = at::zeros({b, features.size(1), s[0], s[1], s[2]}, features.options());
  const at::Tensor i = idx.to(at::kLong);
  // dense[b, :, z, y, x] = features: index with (b, z, y, x) on a channels-last view.
  dense.permute({0, 2, 3, 4, 1})
      .index_put_({i.select(1, 0), i.select(1, 1), i.select(1, 2), i.select(1, 3)}, features);
  return dense;
}

// Dense conv weight [Cout, Cin, kd, kh, kw] of a sparse [K, Cin, Cout] weight.
at::Tensor dense_weight(const at::Tensor& w, const Shape3& k) {
  return w.view({k[0], k[1], k[2], w.size(1), w.size(2)}).permute({4, 3, 0, 1, 2}).contiguous();
}

// Sparse conv vs at::conv3d on the densified input: equal at the active output
// sites, zero everywhere else; the active sites are exactly the cells the kernel
// reaches from an active input (strided) or the input sites (submanifold).
void expect_matches_dense(const ConvGeometry& g, bool submanifold, const Shape3& shape,
                          uint64_t seed) {
  const int64_t b = 2, cin = 3, cout = 5;
  const at::Tensor idx = random_sites(b, shape, 0.15, seed);
  ASSERT_GT(idx.size(0), 10);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed + 1);
  concord::plugins::SparseConv3d conv(cin, cout, g, submanifold);
  {
    at::NoGradGuard no_grad;
    conv->weight.normal_(0.0, 1.0, gen);
  }
  SparseTensor x{at::randn({idx.size(0), cin}, gen), idx, shape, b};
  const RuleBook rb = conv->rules_for(x);
  const SparseTensor y = conv->forward(x, rb);
  ASSERT_EQ(y.features.sizes(), (std::vector<int64_t>{rb.num_out(), cout}));

  const at::Tensor dense_in = densify(x.features, idx, b, shape);
  const std::vector<int64_t> stride(g.stride.begin(), g.stride.end()),
      padding(g.padding.begin(), g.padding.end());
  const at::Tensor expected =
      at::conv3d(dense_in, dense_weight(conv->weight.detach(), g.kernel), {}, stride, padding);
  EXPECT_EQ(y.spatial_shape, (Shape3{expected.size(2), expected.size(3), expected.size(4)}));
  const at::Tensor got = densify(y.features.detach(), y.indices, b, y.spatial_shape);

  // Active output sites: the inputs' sites, or every cell whose receptive field
  // holds an active input (conv3d of the occupancy with a ones kernel).
  const at::Tensor occupancy = densify(at::ones({idx.size(0), 1}), idx, b, shape);
  const at::Tensor active =
      submanifold ? occupancy > 0.5
                  : at::conv3d(occupancy, at::ones({1, 1, g.kernel[0], g.kernel[1], g.kernel[2]}),
                               {}, stride, padding) > 0.5;
  const at::Tensor got_active =
      densify(at::ones({y.indices.size(0), 1}), y.indices, b, y.spatial_shape) > 0.5;
  EXPECT_TRUE(at::equal(got_active, active));
  // Submanifold: equal at the input sites (the dense conv also fills their
  // neighbours, which a submanifold conv leaves inactive). Strided: equal everywhere,
  // the dense result being exactly zero where no output site is active.
  const at::Tensor reference = submanifold ? expected * active : expected;
  EXPECT_TRUE(at::allclose(got, reference, 1e-4, 1e-4))
      << "max difference " << (got - reference).abs().max().item<float>();
  if (!submanifold) {
    EXPECT_EQ((expected * at::logical_not(active)).abs().max().item<float>(), 0.0f);
  }
  if (submanifold) {
    EXPECT_TRUE(at::equal(y.indices, idx));
  } else {
    // Strided sites come sorted by (b, z, y, x).
    const at::Tensor i = y.indices.to(at::kLong);
    const Shape3 o = y.spatial_shape;
    const at::Tensor key =
        ((i.select(1, 0) * o[0] + i.select(1, 1)) * o[1] + i.select(1, 2)) * o[2] + i.select(1, 3);
    EXPECT_TRUE(at::equal(std::get<0>(key.sort()), key));
  }
}

TEST(SecondSparseConv, SubmanifoldEqualsDenseConvAtActiveSites) {
  expect_matches_dense({{3, 3, 3}, {1, 1, 1}, {1, 1, 1}}, true, {7, 9, 8}, 10);
  expect_matches_dense({{1, 3, 3}, {1, 1, 1}, {0, 1, 1}}, true, {5, 6, 7}, 11);
}

TEST(SecondSparseConv, StridedEqualsDenseConvEverywhere) {
  expect_matches_dense({{3, 3, 3}, {2, 2, 2}, {1, 1, 1}}, false, {7, 9, 8}, 20);   // conv2/conv3
  expect_matches_dense({{3, 3, 3}, {2, 2, 2}, {0, 1, 1}}, false, {11, 8, 9}, 21);  // conv4
  expect_matches_dense({{3, 1, 1}, {2, 1, 1}, {0, 0, 0}}, false, {5, 6, 6}, 22);   // conv_out
}

// Backward of the sparse conv (its own autograd function) equals conv3d's.
void expect_gradients_match_dense(const ConvGeometry& g, bool submanifold, uint64_t seed) {
  const Shape3 shape{5, 6, 6};
  const at::Tensor idx = random_sites(2, shape, 0.2, seed);
  concord::plugins::SparseConv3d conv(2, 4, g, submanifold);
  const at::Tensor f = at::randn({idx.size(0), 2}).requires_grad_();
  const SparseTensor x{f, idx, shape, 2};
  const SparseTensor y = conv->forward(x, conv->rules_for(x));
  const at::Tensor target = at::randn_like(y.features);
  (y.features * target).sum().backward();
  ASSERT_TRUE(conv->weight.grad().defined());
  ASSERT_TRUE(f.grad().defined());

  // Same loss through the dense conv, weighted by the target at the active sites.
  const at::Tensor w = conv->weight.detach().clone().requires_grad_();
  const at::Tensor fd = f.detach().clone().requires_grad_();
  const std::vector<int64_t> stride(g.stride.begin(), g.stride.end()),
      padding(g.padding.begin(), g.padding.end());
  const at::Tensor dense =
      at::conv3d(densify(fd, idx, 2, shape), dense_weight(w, g.kernel), {}, stride, padding);
  (dense * densify(target, y.indices, 2, y.spatial_shape)).sum().backward();
  EXPECT_TRUE(at::allclose(conv->weight.grad(), w.grad(), 1e-4, 1e-4));
  EXPECT_TRUE(at::allclose(f.grad(), fd.grad(), 1e-4, 1e-4));
  EXPECT_GT(conv->weight.grad().abs().sum().item<float>(), 0.0f);
}

TEST(SecondSparseConv, GradientsMatchDenseConv) {
  expect_gradients_match_dense({{3, 3, 3}, {2, 2, 2}, {1, 1, 1}}, false, 30);
  expect_gradients_match_dense({{3, 3, 3}, {1, 1, 1}, {1, 1, 1}}, true, 31);
}

// Under bf16 autocast (Step-0 training precision) the sparse conv keeps fp32
// features and sums, rounds only the products: close to the fp32 result, and
// gradients reach features and weight in fp32.
TEST(SecondSparseConv, Bf16AutocastStaysFloatAndCloseToFp32) {
  const ConvGeometry g{{3, 3, 3}, {1, 1, 1}, {1, 1, 1}};
  const Shape3 shape{5, 6, 6};
  const at::Tensor idx = random_sites(2, shape, 0.3, 40);
  concord::plugins::SparseConv3d conv(8, 16, g, true);
  const at::Tensor f = at::randn({idx.size(0), 8}).requires_grad_();
  const SparseTensor x{f, idx, shape, 2};
  const RuleBook rb = conv->rules_for(x);
  const at::Tensor reference = conv->forward(x, rb).features.detach();
  at::Tensor y;
  {
    concord::AutocastScope bf16(concord::Precision::kBf16);
    y = conv->forward(x, rb).features;
  }
  ASSERT_EQ(y.scalar_type(), at::kFloat);
  const float scale = reference.abs().max().item<float>();
  EXPECT_LT((y.detach() - reference).abs().max().item<float>(), 0.02f * scale);
  EXPECT_GT((y.detach() - reference).abs().max().item<float>(), 0.0f);  // bf16 did run
  y.sum().backward();
  ASSERT_TRUE(f.grad().defined());
  EXPECT_EQ(f.grad().scalar_type(), at::kFloat);
  EXPECT_EQ(conv->weight.grad().scalar_type(), at::kFloat);
  EXPECT_GT(conv->weight.grad().abs().sum().item<float>(), 0.0f);
}

// bf16 products run on row counts rounded up (oneDNN reuses a kernel per shape);
// the rows past each offset's M_k hold the previous, larger offset's rows. With
// hundreds of pairs per offset (so the rounding pads), both gradients still match
// fp32 to bf16 accuracy: the padding adds nothing to dW or to the features.
TEST(SecondSparseConv, Bf16PaddedProductsKeepGradientsCloseToFp32) {
  const ConvGeometry g{{3, 3, 3}, {1, 1, 1}, {1, 1, 1}};
  const Shape3 shape{6, 24, 24};
  const at::Tensor idx = random_sites(1, shape, 0.3, 41);
  ASSERT_GT(idx.size(0), 600);
  concord::plugins::SparseConv3d conv(16, 16, g, true);
  const at::Tensor f = at::randn({idx.size(0), 16});
  const at::Tensor up = at::randn({idx.size(0), 16});  // a non-uniform upstream gradient
  const SparseTensor x{f, idx, shape, 1};
  const RuleBook rb = conv->rules_for(x);
  auto grads = [&](bool bf16) {
    const at::Tensor fi = f.clone().requires_grad_();
    conv->zero_grad();
    at::Tensor y;
    {
      concord::AutocastScope scope(bf16 ? concord::Precision::kBf16 : concord::Precision::kFp32);
      y = conv->forward(SparseTensor{fi, idx, shape, 1}, rb).features;
    }
    (y * up).sum().backward();
    return std::make_pair(fi.grad().clone(), conv->weight.grad().clone());
  };
  const auto [f32, w32] = grads(false);
  const auto [f16, w16] = grads(true);
  EXPECT_LT((f16 - f32).abs().max().item<float>(), 0.02f * f32.abs().max().item<float>());
  EXPECT_LT((w16 - w32).abs().max().item<float>(), 0.02f * w32.abs().max().item<float>());
  EXPECT_GT((w16 - w32).abs().max().item<float>(), 0.0f);  // bf16 did run
}

TEST(SecondVoxelizer, MeanVfeAveragesHandPlacedPoints) {
  // x, y [-0.4, 0.4], z [-0.2, 0.2] at 0.2 m: nx = ny = 4, nz = 2.
  const VoxelGrid g = VoxelGrid::make(-0.4, 0.4, -0.4, 0.4, -0.2, 0.2, 0.2, 0.2);
  EXPECT_EQ(g.nx, 4);
  EXPECT_EQ(g.nz, 2);
  std::vector<float> rows{
      0.05f, 0.25f, 0.1f,  1.0f,  // voxel (iz 1, iy 3, ix 2)
      -0.3f, -0.1f, -0.1f, 0.0f,  // voxel (0, 1, 0)
      0.15f, 0.35f, 0.0f,  0.5f,  // voxel (1, 3, 2)
      0.5f,  0.0f,  0.0f,  0.0f,  // x outside
      0.1f,  0.3f,  0.15f, 0.0f,  // voxel (1, 3, 2)
  };
  // Seven more points in voxel (0, 1, 0): only the first two fit with max 5 → 3 + ... see below.
  for (int i = 0; i < 7; ++i) {
    rows.insert(rows.end(), {-0.35f, -0.15f, -0.15f, static_cast<float>(i + 1)});
  }
  const at::Tensor pts =
      at::from_blob(rows.data(), {static_cast<int64_t>(rows.size() / 4), 4}, at::kFloat).clone();
  const auto v = concord::plugins::voxelize({at::zeros({0, 4}), pts}, g, 5, 100);
  EXPECT_EQ(v.batch_size, 2);
  EXPECT_EQ(v.coords.scalar_type(), at::kInt);
  // Voxels in order of their first point; coords (b, iz, iy, ix).
  EXPECT_EQ(values(v.coords), (std::vector<int64_t>{1, 1, 3, 2, 1, 0, 1, 0}));
  EXPECT_EQ(values(v.num_points), (std::vector<int64_t>{3, 5}));
  const at::Tensor mean = concord::plugins::mean_vfe(v);
  // Voxel 0: (0.05 + 0.15 + 0.1) / 3, (0.25 + 0.35 + 0.3) / 3, (0.1 + 0 + 0.15) / 3, 1.5 / 3.
  // Voxel 1: the first point and the first four of the seven: intensity (0 + 1 + 2 + 3 + 4) / 5.
  const at::Tensor expected =
      at::tensor({0.1f, 0.3f, 0.25f / 3.0f, 0.5f, (-0.3f - 4 * 0.35f) / 5.0f,
                  (-0.1f - 4 * 0.15f) / 5.0f, (-0.1f - 4 * 0.15f) / 5.0f, 2.0f})
          .view({2, 4});
  EXPECT_TRUE(at::allclose(mean, expected, 1e-5, 1e-6)) << mean;
  // Caps: one voxel kept.
  EXPECT_EQ(concord::plugins::voxelize({pts}, g, 5, 1).coords.size(0), 1);
}

TEST(SecondVoxelizer, RangeNotAWholeNumberOfVoxelsNamesTheParameter) {
  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const c10::Error& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string xy =
      message([] { VoxelGrid::make(-38.4, 38.45, -38.4, 38.4, -3, 1, 0.1, 0.1); });
  EXPECT_NE(xy.find("voxel_size_xy"), std::string::npos) << xy;
  EXPECT_NE(xy.find("x range"), std::string::npos) << xy;
  const std::string z = message([] { VoxelGrid::make(-38.4, 38.4, -38.4, 38.4, -3, 1, 0.1, 0.3); });
  EXPECT_NE(z.find("voxel_size_z"), std::string::npos) << z;
  EXPECT_NO_THROW(VoxelGrid::make(-38.4, 38.4, -38.4, 38.4, -3, 1, 0.1, 0.1));
}

TEST(SecondHeightCompression, FoldsDepthIntoChannelsWithYAlongH) {
  // One site (b 1, z 1, y 2, x 3) with features (5, 7) on a (2, 3, 4) grid.
  SparseTensor x{at::tensor({5.0f, 7.0f}).view({1, 2}), sites({{1, 1, 2, 3}}), {2, 3, 4}, 2};
  const at::Tensor bev = concord::plugins::height_compression(x);
  ASSERT_EQ(bev.sizes(), (std::vector<int64_t>{2, 4, 3, 4}));  // C·D = 2·2
  EXPECT_EQ(bev[1][0 * 2 + 1][2][3].item<float>(), 5.0f);      // channel c·D + d
  EXPECT_EQ(bev[1][1 * 2 + 1][2][3].item<float>(), 7.0f);
  EXPECT_EQ(bev.abs().sum().item<float>(), 12.0f);
}

TEST(SecondBackbone3d, HealGridGoesToDepthTwoAndKeepsThePointsCell) {
  // HEAL's z grid (40 + 1 cells) on a 12.8 m square at 0.1 m: (41, 128, 128) → (2, 16, 16).
  const VoxelGrid g = VoxelGrid::make(-6.4, 6.4, -6.4, 6.4, -3.0, 1.0, 0.1, 0.1);
  concord::plugins::VoxelBackbone8x net(concord::plugins::VoxelBackbone8xOptions{},
                                        Shape3{g.nz + 1, g.ny, g.nx});
  EXPECT_EQ(net->out_shape(), (Shape3{2, 16, 16}));
  EXPECT_THROW(concord::plugins::VoxelBackbone8x(concord::plugins::VoxelBackbone8xOptions{},
                                                 Shape3{21, 64, 64}),
               c10::Error);
  // A small cluster at x = 3.3, y = -1.7 (cell ix = floor(9.7 / 0.8) = 12,
  // iy = floor(4.7 / 0.8) = 5): output sites stay within one cell of it.
  at::Tensor pts = at::tensor({3.3f, -1.7f, -1.0f, 0.5f, 3.31f, -1.69f, -0.5f, 0.2f}).view({2, 4});
  const auto v = concord::plugins::voxelize({pts}, g, 5, 100);
  net->eval();
  const SparseTensor y =
      net->forward({concord::plugins::mean_vfe(v), v.coords, net->sparse_shape(), 1});
  ASSERT_GT(y.indices.size(0), 0);
  const at::Tensor iy = y.indices.select(1, 2), ix = y.indices.select(1, 3);
  EXPECT_TRUE(((iy == 5) & (ix == 12)).any().item<bool>()) << y.indices;
  EXPECT_LE((iy - 5).abs().max().item<int>(), 1);
  EXPECT_LE((ix - 12).abs().max().item<int>(), 1);
}

// --- The real plugin ---------------------------------------------------------------------

std::shared_ptr<concord::Registry> registry(const std::string& name = "second") {
  static auto second = concord::test::registry_with("second");
  if (name == "second") return second;
  return concord::test::registry_with(name);
}

concord::ParamSet defaults(const std::string& name = "second") {
  return concord::defaults_of(registry(name)->info("encoder", name, 1).params, "test");
}

std::shared_ptr<concord::Encoder> encoder(const concord::ParamSet& p) {
  return registry()->create<concord::Encoder>("second", 1, p);
}

concord::SensorInput lidar(std::vector<at::Tensor> points) {
  concord::SensorInput in;
  in.points = std::move(points);
  return in;
}

void set_square(concord::ParamSet& p, double half) {
  p.set("x_min", -half);
  p.set("x_max", half);
  p.set("y_min", -half);
  p.set("y_max", half);
}

// A synthetic 32-beam scan (HDL-32E: elevations −30.67 .. +10.67° in 4/3° steps,
// 0.2° azimuth steps = 1800 columns): ground at z = −1.8 m, 25 car-sized vertical
// cylinders, a building wall at 25 .. 45 m; max range 100 m. About 45k points.
at::Tensor synthetic_32_beam_scan(uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor cars = (at::rand({25, 2}, gen) * 2.0 - 1.0) * 35.0;
  const auto c = cars.accessor<float, 2>();
  std::vector<float> out;
  const double pi = std::acos(-1.0);
  for (int col = 0; col < 1800; ++col) {
    const double az = col * 0.2 * pi / 180.0;
    const double ca = std::cos(az), sa = std::sin(az);
    const double wall = 35.0 + 10.0 * std::sin(3.0 * az);
    for (int laser = 0; laser < 32; ++laser) {
      const double el = (-30.67 + laser * 4.0 / 3.0) * pi / 180.0;
      const double ce = std::cos(el), se = std::sin(el);
      double r = 100.0;
      if (se < 0) r = std::min(r, -1.8 / se);       // ground
      r = std::min(r, wall / ce);                   // wall (r = horizontal distance / cos el)
      for (int64_t k = 0; k < cars.size(0); ++k) {  // cylinders of radius 1.2 m, top at z = −0.3
        const double px = c[k][0], py = c[k][1];
        const double along = px * ca + py * sa;
        const double off2 = px * px + py * py - along * along;
        if (along <= 0 || off2 > 1.44) continue;
        const double hit = (along - std::sqrt(1.44 - off2)) / ce;
        if (hit < r && hit * se < -0.3 + 1e-9) r = hit;
      }
      if (r >= 100.0) continue;
      out.insert(out.end(), {static_cast<float>(r * ce * ca), static_cast<float>(r * ce * sa),
                             static_cast<float>(r * se), 0.5f});
    }
  }
  return at::from_blob(out.data(), {static_cast<int64_t>(out.size() / 4), 4}, at::kFloat).clone();
}

at::Tensor random_cloud(int64_t n, double half_range, uint64_t seed) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  at::Tensor xy = (at::rand({n, 2}, gen) * 2.0 - 1.0) * half_range;
  at::Tensor z = at::rand({n, 1}, gen) * 3.0 - 2.5;
  return at::cat({xy, z, at::rand({n, 1}, gen)}, 1);
}

TEST(SecondPlugin, LoadsThroughTheRegistryWithHealDefaults) {
  const auto p = defaults();
  EXPECT_EQ(p.get_float("voxel_size_xy"), 0.1);
  EXPECT_EQ(p.get_float("voxel_size_z"), 0.1);
  EXPECT_EQ(p.get_int("max_points_per_voxel"), 5);
  EXPECT_EQ(p.get_int("max_voxels_train"), 32000);
  EXPECT_EQ(p.get_int("max_voxels_eval"), 70000);
  EXPECT_EQ(p.get_int_list("backbone_layer_strides"), (std::vector<int64_t>{1}));
  EXPECT_EQ(p.get_float("x_max"), 38.4);
  auto enc = encoder(p);
  ASSERT_NE(enc, nullptr);
  const auto params = enc->named_parameters();
  EXPECT_TRUE(params.contains("spconv_block.conv_input.0.weight"));
  EXPECT_TRUE(params.contains("spconv_block.conv2.0.0.weight"));
  EXPECT_TRUE(params.contains("spconv_block.conv_out.0.weight"));
  EXPECT_EQ(params["spconv_block.conv_out.0.weight"].sizes(), (std::vector<int64_t>{3, 64, 64}));
  EXPECT_EQ(params["backbone.resnet.layer0.0.conv1.weight"].size(1), 128);  // HeightCompression
}

TEST(SecondPlugin, DefaultRangeGivesThePointPillarsGrid) {
  auto enc = encoder(defaults());
  enc->eval();
  at::NoGradGuard no_grad;
  const auto out = enc->forward(lidar({synthetic_32_beam_scan(1), random_cloud(3000, 40.0, 2)}));
  EXPECT_EQ(out.bev.sizes(), (std::vector<int64_t>{2, 64, 96, 96}));
  EXPECT_FALSE(out.depth_logits.defined());
  EXPECT_TRUE(at::isfinite(out.bev).all().item<bool>());

  // The pointpillars encoder (agent m1) gives the same grid for the same range.
  auto pp_registry = registry("pointpillars");
  auto pp = pp_registry->create<concord::Encoder>("pointpillars", 1, defaults("pointpillars"));
  pp->eval();
  EXPECT_EQ(pp->forward(lidar({random_cloud(1000, 40.0, 3), random_cloud(10, 4.0, 4)})).bev.sizes(),
            out.bev.sizes());
}

TEST(SecondPlugin, EmptyCloudsAndTrainingGradients) {
  auto p = defaults();
  set_square(p, 6.4);
  auto enc = encoder(p);
  for (bool train : {false, true}) {
    enc->train(train);
    auto out = enc->forward(lidar({at::zeros({0, 4}), random_cloud(50, 100.0, 5)}));
    EXPECT_EQ(out.bev.sizes(), (std::vector<int64_t>{2, 64, 16, 16}));
    EXPECT_TRUE(at::isfinite(out.bev).all().item<bool>()) << "train " << train;
    // One point = one active site at level 0 (BatchNorm falls back to running statistics).
    out = enc->forward(lidar({at::tensor({1.0f, 2.0f, -1.0f, 0.5f}).view({1, 4})}));
    EXPECT_TRUE(at::isfinite(out.bev).all().item<bool>()) << "train " << train;
  }
  enc->train();
  enc->forward(lidar({random_cloud(4000, 6.0, 6), random_cloud(2000, 6.0, 7)}))
      .bev.sum()
      .backward();
  for (const std::string key :
       {"spconv_block.conv_input.0.weight", "spconv_block.conv3.1.0.weight",
        "spconv_block.conv_out.0.weight", "backbone.resnet.layer0.0.conv1.weight"}) {
    const at::Tensor g = enc->named_parameters()[key].grad();
    ASSERT_TRUE(g.defined()) << key;
    EXPECT_GT(g.abs().sum().item<float>(), 0.0f) << key;
  }
}

TEST(SecondPlugin, TrainsUnderBf16Autocast) {
  auto p = defaults();
  set_square(p, 6.4);
  auto enc = encoder(p);
  enc->train();
  concord::AutocastScope bf16(concord::Precision::kBf16);
  const auto out = enc->forward(lidar({random_cloud(3000, 6.0, 9)}));
  EXPECT_TRUE(at::isfinite(out.bev).all().item<bool>());
  out.bev.to(at::kFloat).sum().backward();
  const at::Tensor g = enc->named_parameters()["spconv_block.conv_input.0.weight"].grad();
  ASSERT_TRUE(g.defined());
  EXPECT_GT(g.abs().sum().item<float>(), 0.0f);
}

TEST(SecondPlugin, DeterministicInEval) {
  auto p = defaults();
  set_square(p, 6.4);
  auto enc = encoder(p);
  enc->eval();
  const auto in = lidar({random_cloud(3000, 7.0, 8)});
  EXPECT_TRUE(at::equal(enc->forward(in).bev, enc->forward(in).bev));
}

TEST(SecondPlugin, RefusesBadInputAndParameters) {
  auto p = defaults();
  set_square(p, 6.4);
  auto enc = encoder(p);
  EXPECT_THROW(enc->forward(lidar({})), c10::Error);
  EXPECT_THROW(enc->forward(lidar({at::zeros({5, 3})})), c10::Error);
  p.set("x_max", 6.45);  // not a whole number of 0.1 m voxels
  try {
    encoder(p);
    ADD_FAILURE() << "expected a refusal";
  } catch (const concord::RegistryError& e) {
    EXPECT_NE(std::string(e.what()).find("voxel_size_xy"), std::string::npos) << e.what();
  }
  p.set("x_max", 6.4);
  p.set("voxel_size_z", 0.2);  // 20 z voxels: conv_out has no depth left
  EXPECT_THROW(encoder(p), concord::RegistryError);
}

// Forward latency of one 32-beam frame on the default ±38.4 m grid (eval, no grad).
TEST(SecondPlugin, DISABLED_ReportLatency) {
  auto enc = encoder(defaults());
  enc->eval();
  int64_t total = 0, sparse = 0;
  for (const auto& kv : enc->named_parameters()) {
    total += kv.value().numel();
    if (kv.key().rfind("spconv_block.", 0) == 0) sparse += kv.value().numel();
  }
  const at::Tensor scan = synthetic_32_beam_scan(9);
  const auto in = lidar({scan});
  at::NoGradGuard no_grad;
  const VoxelGrid g = VoxelGrid::make(-38.4, 38.4, -38.4, 38.4, -3.0, 1.0, 0.1, 0.1);
  const int64_t voxels = concord::plugins::voxelize({scan}, g, 5, 70000).coords.size(0);
  enc->forward(in);  // warm-up
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    enc->forward(in);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "second: " << total << " parameters (sparse 3D " << sparse << "), " << scan.size(0)
            << " points, " << voxels << " voxels, forward median " << ms[2] << " ms (min " << ms[0]
            << ", max " << ms[4] << "), " << at::get_num_threads() << " threads\n";
}

}  // namespace
