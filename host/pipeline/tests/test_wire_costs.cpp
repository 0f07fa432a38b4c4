// The wire (message precision and size) and the training-time part of costs.csv.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <fstream>

#include "concord/error.hpp"
#include "concord/pipeline/method_costs.hpp"
#include "concord/pipeline/wire.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;

TEST(Wire, ParsesFormatsAndRefusesOthers) {
  EXPECT_EQ(cp::parse_wire_format("fp16", "--wire"), cp::WireFormat::kFp16);
  EXPECT_EQ(cp::parse_wire_format("bf16", "--wire"), cp::WireFormat::kBf16);
  EXPECT_EQ(cp::to_string(cp::parse_wire_format("fp32", "--wire")), "fp32");
  try {
    cp::parse_wire_format("int8", "--wire");
    FAIL() << "int8 accepted";
  } catch (const concord::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--wire"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("int8"), std::string::npos);
  }
}

// The embedded default's common representation: 64 x 96 x 96 values.
TEST(Wire, MessageBytesByHand) {
  EXPECT_EQ(cp::message_bytes(64, 96, 96, cp::WireFormat::kFp32), 2359296);
  EXPECT_EQ(cp::message_bytes(64, 96, 96, cp::WireFormat::kFp16), 1179648);
  EXPECT_EQ(cp::message_bytes(64, 96, 96, cp::WireFormat::kBf16), 1179648);
}

// 1 + 2^-12 is between fp16 neighbours 1 and 1 + 2^-10 and rounds to 1;
// 1 + 2^-6 survives bf16 (8 significant bits) but 1 + 2^-9 does not.
TEST(Wire, ThroughWireRoundsToTheWirePrecision) {
  const at::Tensor m =
      at::tensor({1.0f + 1.0f / 4096.0f, 1.0f + 1.0f / 64.0f, 1.0f + 1.0f / 512.0f});
  EXPECT_TRUE(at::equal(cp::through_wire(m, cp::WireFormat::kFp32), m));
  const at::Tensor h = cp::through_wire(m, cp::WireFormat::kFp16);
  EXPECT_EQ(h.scalar_type(), at::kFloat);
  EXPECT_FLOAT_EQ(h[0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(h[1].item<float>(), 1.0f + 1.0f / 64.0f);
  const at::Tensor b = cp::through_wire(m, cp::WireFormat::kBf16);
  EXPECT_FLOAT_EQ(b[1].item<float>(), 1.0f + 1.0f / 64.0f);
  EXPECT_FLOAT_EQ(b[2].item<float>(), 1.0f);
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(Costs, TrainingSecondsSumsStageOneAndTwo) {
  concord::test::TempDir dir;
  EXPECT_DOUBLE_EQ(cp::training_seconds(dir.path()), 0.0);  // nothing trained yet
  write(dir.path() / "metrics.csv",
        "epoch,lr,train_loss,val_loss,seconds\n1,0.001,3,2,100.5\n"
        "2,0.001,2,1,99.5\n");
  EXPECT_DOUBLE_EQ(cp::training_seconds(dir.path()), 200.0);
  write(dir.path() / "adapt" / "metrics.csv", "epoch,seconds\n1,12.25\n");
  EXPECT_DOUBLE_EQ(cp::training_seconds(dir.path()), 212.25);
  // A join run: alignment in join/, its receiver's adaptation in join_adapt/.
  concord::test::TempDir joined;
  write(joined.path() / "join" / "metrics.csv", "epoch,seconds\n1,30\n2,31\n");
  write(joined.path() / "join_adapt" / "metrics.csv", "epoch,seconds\n1,9.5\n");
  EXPECT_DOUBLE_EQ(cp::training_seconds(joined.path()), 70.5);
}

TEST(Costs, MalformedMetricsNameFileAndLine) {
  concord::test::TempDir dir;
  write(dir.path() / "metrics.csv", "epoch,seconds\n1,10\n2,ten\n");
  try {
    cp::training_seconds(dir.path());
    FAIL() << "malformed seconds accepted";
  } catch (const concord::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("metrics.csv:3"), std::string::npos) << what;
    EXPECT_NE(what.find("ten"), std::string::npos) << what;
  }
  write(dir.path() / "metrics.csv", "epoch,loss\n1,10\n");
  EXPECT_THROW(cp::training_seconds(dir.path()), concord::Error);
}

}  // namespace
