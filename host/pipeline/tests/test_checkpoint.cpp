// Checkpoints: round trip, the plugin record, refusal of a mismatch, atomic writes.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>

#include <fstream>

#include "concord/error.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;

std::vector<cp::ComponentSpec> components(const std::string& head_version) {
  cp::ComponentSpec enc{"encoder", "pointpillars", "1.0.0", "pointpillars", 1, {}};
  cp::ComponentSpec head{"head", "anchor_head", head_version, "anchor", 1, {}};
  return {enc, head};
}

TEST(Checkpoint, RoundTripRestoresWeightsAndMeta) {
  concord::test::TempDir dir;
  torch::nn::Linear a(3, 2), b(3, 2);
  torch::optim::Adam opt(a->parameters(), torch::optim::AdamOptions(0.1));
  cp::CheckpointMeta meta;
  meta.epoch = 3;
  meta.val_loss = 0.5;
  meta.best_val_loss = 0.25;
  meta.best_epoch = 2;
  meta.components = components("1.0.0");
  cp::save_checkpoint(dir.path(), "latest", *a, &opt, meta);
  EXPECT_TRUE(cp::checkpoint_exists(dir.path(), "latest"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "latest.pt.tmp"));
  EXPECT_FALSE(at::equal(a->weight, b->weight));
  auto loaded = cp::load_checkpoint(dir.path(), "latest", *b, nullptr, components("1.0.0"));
  EXPECT_TRUE(at::equal(a->weight, b->weight));
  EXPECT_TRUE(at::equal(a->bias, b->bias));
  EXPECT_EQ(loaded.epoch, 3);
  EXPECT_EQ(loaded.best_epoch, 2);
  EXPECT_DOUBLE_EQ(loaded.best_val_loss, 0.25);
}

// Compact fp16 weights (shipped Step-0 checkpoints) load back as fp32, equal to
// the fp32 weights rounded to fp16; BatchNorm's int64 counter keeps its dtype.
TEST(Checkpoint, Fp16WeightsLoadAsFp32AndIntegerBuffersStayIntegers) {
  concord::test::TempDir dir;
  torch::nn::Sequential a(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2));
  torch::nn::Sequential b(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2));
  a->train();
  a->forward(at::randn({4, 3}));  // running statistics and num_batches_tracked = 1
  const at::Tensor w32 = a[0]->as<torch::nn::Linear>()->weight.detach().clone();
  cp::cast_floating(*a, at::kHalf);
  EXPECT_EQ(a[0]->as<torch::nn::Linear>()->weight.scalar_type(), at::kHalf);
  EXPECT_EQ(a[1]->as<torch::nn::BatchNorm1d>()->num_batches_tracked.scalar_type(), at::kLong);
  cp::CheckpointMeta meta;
  meta.components = components("1.0.0");
  cp::save_checkpoint(dir.path(), "best", *a, nullptr, meta);
  cp::load_checkpoint(dir.path(), "best", *b, nullptr, components("1.0.0"));
  const at::Tensor w = b[0]->as<torch::nn::Linear>()->weight;
  EXPECT_EQ(w.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(w, w32.to(at::kHalf).to(at::kFloat)));
  EXPECT_GT((w - w32).abs().max().item<float>(), 0.0f);  // really rounded to fp16
  const auto bn = b[1]->as<torch::nn::BatchNorm1d>();
  EXPECT_EQ(bn->running_var.scalar_type(), at::kFloat);
  EXPECT_EQ(bn->num_batches_tracked.scalar_type(), at::kLong);
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
}

TEST(Checkpoint, RefusesWeightsOfOtherPluginVersions) {
  concord::test::TempDir dir;
  torch::nn::Linear a(3, 2);
  cp::CheckpointMeta meta;
  meta.components = components("1.0.0");
  cp::save_checkpoint(dir.path(), "best", *a, nullptr, meta);
  try {
    cp::load_checkpoint(dir.path(), "best", *a, nullptr, components("2.0.0"));
    FAIL() << "loaded weights recorded for anchor_head 1.0.0 into 2.0.0";
  } catch (const concord::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("best.toml: checkpoint was trained with"), std::string::npos) << msg;
    EXPECT_NE(msg.find("head:anchor_head@2.0.0:anchor/v1"), std::string::npos) << msg;
  }
}

TEST(Checkpoint, CorruptWeightsAreReportedWithTheFile) {
  concord::test::TempDir dir;
  torch::nn::Linear a(3, 2);
  cp::CheckpointMeta meta;
  meta.components = components("1.0.0");
  cp::save_checkpoint(dir.path(), "best", *a, nullptr, meta);
  std::ofstream(dir.path() / "best.pt", std::ios::trunc) << "garbage";
  try {
    cp::load_checkpoint(dir.path(), "best", *a, nullptr, components("1.0.0"));
    FAIL();
  } catch (const concord::Error& e) {
    EXPECT_NE(std::string(e.what()).find("best.pt: corrupt or incompatible checkpoint"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
