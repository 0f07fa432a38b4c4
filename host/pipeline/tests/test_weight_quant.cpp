// Weight-only int8/int4 quantization: hand-computed codes, round-trip error
// bounds, refusals, and a quantized checkpoint loading into an fp32 model.
#include "concord/pipeline/weight_quant.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "concord/error.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;

// Row [1, -2, 0.5, 127]: int8 scale = 127/127 = 1, codes = round(w) with
// round-half-to-even: [1, -2, 0, 127].
TEST(WeightQuant, Int8CodesAndScaleByHand) {
  at::Tensor w = at::tensor({1.0f, -2.0f, 0.5f, 127.0f, 0.0f, 0.0f, 0.0f, 2.54f}).view({2, 4});
  const auto q = cp::quantize_weight(w, 8);
  EXPECT_EQ(q.codes.scalar_type(), at::kChar);
  EXPECT_EQ(q.scales.scalar_type(), at::kHalf);
  EXPECT_EQ(q.codes[0][0].item<int8_t>(), 1);
  EXPECT_EQ(q.codes[0][1].item<int8_t>(), -2);
  EXPECT_EQ(q.codes[0][2].item<int8_t>(), 0);
  EXPECT_EQ(q.codes[0][3].item<int8_t>(), 127);
  EXPECT_FLOAT_EQ(q.scales[0][0].item<float>(), 1.0f);
  // Row 2: scale = fp16(2.54/127 = 0.02) ≈ 0.0200043; 2.54 -> code 127.
  EXPECT_EQ(q.codes[1][3].item<int8_t>(), 127);
  EXPECT_NEAR(q.scales[1][0].item<float>(), 0.02f, 1e-5);
}

// int4, one group: w = [7, -7, 3.4, 3.6, 0...] (32 values) -> scale 1, codes
// 7, -7, 3, 4 stored as code + 8: byte0 = 15 | 1 << 4 = 31, byte1 = 11 | 12 << 4.
TEST(WeightQuant, Int4PackingByHand) {
  at::Tensor w = at::zeros({1, 32});
  w[0][0] = 7.0f;
  w[0][1] = -7.0f;
  w[0][2] = 3.4f;
  w[0][3] = 3.6f;
  const auto q = cp::quantize_weight(w, 4);
  ASSERT_EQ(q.codes.sizes(), (at::IntArrayRef{1, 16}));
  ASSERT_EQ(q.scales.sizes(), (at::IntArrayRef{1, 1}));
  EXPECT_FLOAT_EQ(q.scales[0][0].item<float>(), 1.0f);
  EXPECT_EQ(q.codes[0][0].item<uint8_t>(), 31);
  EXPECT_EQ(q.codes[0][1].item<uint8_t>(), 11 | (12 << 4));
  EXPECT_EQ(q.codes[0][2].item<uint8_t>(), 8 | (8 << 4));  // zeros
  const at::Tensor back = cp::dequantize_weight(q, 4, w.sizes());
  EXPECT_FLOAT_EQ(back[0][2].item<float>(), 3.0f);
  EXPECT_FLOAT_EQ(back[0][3].item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(back[0][1].item<float>(), -7.0f);
}

// Round trip of a conv kernel whose row length (3*3*5 = 45) is not a multiple
// of the int4 group: every value within half a step of its own scale.
TEST(WeightQuant, RoundTripErrorWithinHalfAStep) {
  at::manual_seed(0);
  at::Tensor w = at::randn({6, 5, 3, 3});
  for (int bits : {8, 4}) {
    const auto q = cp::quantize_weight(w, bits);
    const at::Tensor back = cp::dequantize_weight(q, bits, w.sizes());
    ASSERT_EQ(back.sizes(), w.sizes());
    const at::Tensor rows = w.view({6, 45});
    const double levels = bits == 8 ? 127.0 : 7.0;
    const at::Tensor err = (back - w).abs().view({6, 45});
    for (int64_t r = 0; r < 6; ++r) {
      // int4 groups are finer than the row, so the row's max bounds every group.
      const double step = rows[r].abs().max().item<double>() / levels;
      EXPECT_LE(err[r].max().item<double>(), 0.5 * step * 1.001 + 1e-6) << "bits " << bits;
    }
  }
}

TEST(WeightQuant, RefusesBadBitsAndShapes) {
  EXPECT_THROW(cp::quantize_weight(at::randn({4, 4}), 3), std::invalid_argument);
  EXPECT_THROW(cp::quantize_weight(at::randn({16}), 8), std::invalid_argument);
  const auto q = cp::quantize_weight(at::randn({4, 64}), 4);
  EXPECT_THROW(cp::dequantize_weight(q, 4, {4, 96}), std::invalid_argument);
  EXPECT_THROW(cp::dequantize_weight(q, 8, {4, 64}), std::invalid_argument);
  EXPECT_FALSE(cp::quantizable(at::randn({1000})));
  EXPECT_FALSE(cp::quantizable(at::randn({10, 10})));
  EXPECT_TRUE(cp::quantizable(at::randn({32, 32})));
}

std::vector<cp::ComponentSpec> components() {
  return {cp::ComponentSpec{"encoder", "pointpillars", "1.0.0", "pointpillars", 1, {}}};
}

// A quantized checkpoint is smaller, loads into an fp32 model, keeps small
// tensors exact and records its format.
TEST(WeightQuant, QuantizedCheckpointLoadsIntoFp32Model) {
  concord::test::TempDir dir;
  at::manual_seed(1);
  torch::nn::Sequential a(torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 64, 3)),
                          torch::nn::Linear(64, 8));
  torch::nn::Sequential b(torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 64, 3)),
                          torch::nn::Linear(64, 8));
  cp::CheckpointMeta meta;
  meta.components = components();
  cp::save_checkpoint(dir.path() / "fp32", "best", *a, nullptr, meta);
  for (int bits : {8, 4}) {
    const auto sub = dir.path() / ("int" + std::to_string(bits));
    cp::save_checkpoint(sub, "best", *a, nullptr, meta, bits);
    const auto full = std::filesystem::file_size(dir.path() / "fp32" / "best.pt");
    EXPECT_LT(std::filesystem::file_size(sub / "best.pt"), full / (bits == 8 ? 3 : 5));
    std::ifstream in(sub / "best.toml");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("weight_format = 'int" + std::to_string(bits) + "'"),
              std::string::npos);
    cp::load_checkpoint(sub, "best", *b, nullptr, components());
    const at::Tensor wa = a[0]->as<torch::nn::Conv2d>()->weight;
    const at::Tensor wb = b[0]->as<torch::nn::Conv2d>()->weight;
    EXPECT_EQ(wb.scalar_type(), at::kFloat);
    EXPECT_FALSE(at::equal(wa, wb));  // quantized, not copied
    const double step = wa.abs().max().item<double>() / (bits == 8 ? 127.0 : 7.0);
    EXPECT_LE((wa - wb).abs().max().item<double>(), 0.5 * step * 1.001);
    // Biases (1-d) are stored as they are.
    EXPECT_TRUE(
        at::equal(a[0]->as<torch::nn::Conv2d>()->bias, b[0]->as<torch::nn::Conv2d>()->bias));
  }
  EXPECT_THROW(cp::save_checkpoint(dir.path() / "x", "best", *a, nullptr, meta, 2), concord::Error);
}

}  // namespace
