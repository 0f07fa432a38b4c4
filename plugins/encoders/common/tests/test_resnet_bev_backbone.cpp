// ResNet BEV backbone: output stride and shape, HEAL state_dict names, multi-level
// deblocks, determinism and refusals.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "concord/encoders/resnet_bev_backbone.hpp"

namespace {

using concord::encoders::ResNetBevBackbone;
using concord::encoders::ResNetBevBackboneOptions;

TEST(ResNetBevBackbone, HealM1DefaultsHalveTheGrid) {
  ResNetBevBackbone backbone(ResNetBevBackboneOptions{});
  EXPECT_EQ(backbone->out_channels(), 64);
  EXPECT_DOUBLE_EQ(backbone->output_stride(), 2.0);
  backbone->eval();
  at::Tensor out = backbone->forward(at::randn({2, 64, 16, 24}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 64, 8, 12}));
  // A grid that is not a multiple of the stride rounds up (3x3 conv, padding 1).
  out = backbone->forward(at::randn({1, 64, 15, 9}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 64, 8, 5}));
  EXPECT_TRUE(at::isfinite(out).all().item<bool>());
}

TEST(ResNetBevBackbone, ParameterNamesFollowHeal) {
  ResNetBevBackbone backbone(ResNetBevBackboneOptions{});
  std::set<std::string> names;
  for (const auto& item : backbone->named_parameters()) names.insert(item.key());
  EXPECT_TRUE(names.count("resnet.layer0.0.conv1.weight"));
  EXPECT_TRUE(names.count("resnet.layer0.0.bn2.bias"));
  EXPECT_TRUE(names.count("resnet.layer0.0.downsample.0.weight"));  // stride 2 shortcut
  EXPECT_TRUE(names.count("resnet.layer0.2.conv2.weight"));
  EXPECT_FALSE(names.count("resnet.layer0.1.downsample.0.weight"));
  EXPECT_EQ(names.size(), 3u * 6u + 3u);  // 3 blocks x (2 convs + 2 BN x 2) + shortcut (1 + 2)
}

TEST(ResNetBevBackbone, MultiLevelDeblocksConcatenate) {
  ResNetBevBackboneOptions o;
  o.in_channels = 8;
  o.layer_nums = {1, 1, 1};
  o.layer_strides = {1, 2, 2};
  o.num_filters = {8, 16, 32};
  o.upsample_strides = {1, 2, 4};
  o.num_upsample_filters = {4, 4, 4};
  ResNetBevBackbone backbone(o);
  EXPECT_EQ(backbone->out_channels(), 12);
  EXPECT_DOUBLE_EQ(backbone->output_stride(), 1.0);
  at::Tensor x = at::randn({1, 8, 16, 16});
  auto levels = backbone->forward_levels(x);
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[2].sizes(), (std::vector<int64_t>{1, 32, 4, 4}));
  EXPECT_EQ(backbone->forward(x).sizes(), (std::vector<int64_t>{1, 12, 16, 16}));
  // A fractional stride downsamples with a strided conv: stride 1 / 0.5 = 2.
  o.upsample_strides = {0.5, 1, 2};
  EXPECT_DOUBLE_EQ(ResNetBevBackbone(o)->output_stride(), 2.0);
}

TEST(ResNetBevBackbone, Deterministic) {
  ResNetBevBackbone backbone(ResNetBevBackboneOptions{});
  backbone->eval();
  at::Tensor x = at::randn({1, 64, 20, 20});
  EXPECT_TRUE(at::equal(backbone->forward(x), backbone->forward(x)));
}

TEST(ResNetBevBackbone, RefusesBadOptionsAndInputs) {
  ResNetBevBackboneOptions o;
  o.layer_strides = {2, 2};
  EXPECT_THROW(ResNetBevBackbone{o}, c10::Error);  // list lengths differ
  o.layer_nums = {1, 1};
  o.num_filters = {8, 8};
  EXPECT_THROW(ResNetBevBackbone{o}, c10::Error);  // two levels, no upsampling
  o.upsample_strides = {1, 1};
  o.num_upsample_filters = {8, 8};
  EXPECT_THROW(ResNetBevBackbone{o}, c10::Error);  // levels at strides 2 and 4
  ResNetBevBackbone backbone(ResNetBevBackboneOptions{});
  EXPECT_THROW(backbone->forward(at::zeros({1, 32, 8, 8})), c10::Error);
}

}  // namespace
