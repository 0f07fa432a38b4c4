// Compute precision: parsing, the autocast scope, channels_last conversion.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/conv.h>

#include "concord/error.hpp"
#include "concord/precision.hpp"

namespace concord {
namespace {

TEST(Precision, ParsesKnownNamesAndRefusesOthersNamingWhere) {
  EXPECT_EQ(parse_precision("fp32", "x"), Precision::kFp32);
  EXPECT_EQ(parse_precision("bf16", "x"), Precision::kBf16);
  try {
    parse_precision("fp16", "exp.toml: [train] precision");
    FAIL() << "fp16 accepted";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("exp.toml: [train] precision"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fp16"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fp32, bf16"), std::string::npos) << msg;
  }
}

TEST(Precision, AutocastScopeRunsConvInBf16AndRestoresState) {
  const at::Tensor x = at::randn({1, 4, 8, 8});
  const at::Tensor w = at::randn({4, 4, 3, 3});
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  {
    AutocastScope fp32(Precision::kFp32);
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(at::conv2d(x, w).scalar_type(), at::kFloat);
  }
  at::Tensor y;
  {
    AutocastScope bf16(Precision::kBf16);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    {
      AutocastScope nested(Precision::kBf16);
      EXPECT_TRUE(at::autocast::is_cpu_enabled());
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled()) << "inner scope switched the outer one off";
    y = at::conv2d(x, w);
    EXPECT_EQ(y.scalar_type(), at::kBFloat16);
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  // bf16 has an 8-bit mantissa: relative error of a 36-term dot product stays near 2^-8.
  const at::Tensor ref = at::conv2d(x, w);
  const double rel = ((y.to(at::kFloat) - ref).abs().max() / ref.abs().max()).item<double>();
  EXPECT_LT(rel, 0.03);
  EXPECT_GT(rel, 0.0) << "no rounding at all: the conv did not run in bf16";
}

TEST(Precision, ChannelsLastKeepsValuesAndOutputs) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 5, 3).padding(1));
  const at::Tensor x = at::randn({2, 3, 6, 7});
  const at::Tensor before = conv->forward(x);
  const at::Tensor w = conv->weight.clone();
  to_channels_last(*conv);
  EXPECT_TRUE(conv->weight.is_contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(conv->bias.is_contiguous()) << "1-D tensors must stay as they were";
  EXPECT_TRUE(at::equal(conv->weight, w));
  EXPECT_TRUE(at::allclose(conv->forward(x), before, 1e-5, 1e-5));
}

}  // namespace
}  // namespace concord
