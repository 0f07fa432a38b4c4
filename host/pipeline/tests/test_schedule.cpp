// TrainSpec's command-line schedule override (--epochs / --max-samples of
// negotiate, adapt and join).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "concord/error.hpp"
#include "concord/pipeline/experiment.hpp"

namespace concord::pipeline {
namespace {

TrainSpec official_stage1() {  // the official stage-1 schedule: 12 epochs, milestone 10
  TrainSpec t;
  t.epochs = 12;
  t.lr = 1e-3;
  t.milestones = {10};
  t.max_samples = 0;
  return t;
}

TEST(ScheduleOverride, ReplacesOnlyTheGivenFields) {
  TrainSpec t = official_stage1();
  t.override_with(2, 32, std::nullopt, "[negotiate]");
  EXPECT_EQ(t.epochs, 2);
  EXPECT_EQ(t.max_samples, 32);
  EXPECT_DOUBLE_EQ(t.lr, 1e-3);
  // The milestone at epoch 10 lies past the shortened schedule: every epoch keeps lr.
  EXPECT_DOUBLE_EQ(t.lr_at(1), 1e-3);

  TrainSpec u = official_stage1();
  u.override_with(std::nullopt, 0, std::nullopt, "[adapt]");  // max_samples 0 = all samples
  EXPECT_EQ(u.epochs, 12);
  EXPECT_EQ(u.max_samples, 0);
  u.override_with(std::nullopt, std::nullopt, std::nullopt, "[adapt]");
  EXPECT_EQ(u.epochs, 12);
  EXPECT_DOUBLE_EQ(u.lr_at(10), 1e-4);
}

TEST(ScheduleOverride, ValidationSamplesFollowMaxSamplesUnlessSet) {
  TrainSpec t = official_stage1();
  EXPECT_EQ(t.validation_samples(), 0);  // all
  t.override_with(2, 32, std::nullopt, "[negotiate]");
  EXPECT_EQ(t.validation_samples(), 32);  // a quick run validates on as many
  t.override_with(std::nullopt, std::nullopt, 8, "[negotiate]");
  EXPECT_EQ(t.max_samples, 32);
  EXPECT_EQ(t.validation_samples(), 8);
  t.override_with(std::nullopt, std::nullopt, 0, "[negotiate]");
  EXPECT_EQ(t.validation_samples(), 0);  // 0 = all, even with max_samples set
}

TEST(ScheduleOverride, RefusesNonPositiveEpochsAndNegativeSamplesNamingTheOption) {
  TrainSpec t = official_stage1();
  try {
    t.override_with(0, std::nullopt, std::nullopt, "[join]");
    FAIL() << "epochs 0 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "--epochs 0 for [join]: expected at least 1");
  }
  try {
    t.override_with(3, -1, std::nullopt, "[adapt]");
    FAIL() << "max_samples -1 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "--max-samples -1 for [adapt]: expected 0 (all) or more");
  }
  try {
    t.override_with(3, 8, -2, "[negotiate]");
    FAIL() << "val_samples -2 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "--val-samples -2 for [negotiate]: expected 0 (all) or more");
  }
  EXPECT_EQ(t.epochs, 12) << "a refused override changes nothing";
  EXPECT_EQ(t.max_samples, 0);
}

}  // namespace
}  // namespace concord::pipeline
