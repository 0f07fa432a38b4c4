// Step-0 training's checkpoint selection: `[train] select = "val_ap"` keeps the
// epoch with the highest validation AP@0.5 (recorded in metrics.csv and the
// checkpoint record), a loss-selected run refuses to resume under AP selection,
// only the detection-training sections ([train], [adapt]) accept the key, and the
// one-forward validation pass scores what evaluate() and the mean loss score.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "concord/error.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "concord/pipeline/data_source.hpp"
#include "concord/pipeline/evaluator.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/trainer.hpp"
#include "constant_detector.hpp"
#include "test_support.hpp"
#include "tiny_dataset.hpp"

namespace {

namespace cp = concord::pipeline;
namespace ct = concord::test;
namespace fs = std::filesystem;

cp::ComponentSpec component(const std::string& kind) {
  cp::ComponentSpec c;
  c.kind = kind;
  c.plugin = "test_" + kind;
  c.plugin_version = "0.0.0";
  c.factory = kind;
  return c;
}

/// Trains and validates on the tiny OPV2V folder's "test" split (vehicle 5 lies
/// 10 m from the ego, inside the 32 x 32 test grid); no sensor data is read.
cp::ExperimentSpec tiny_spec(const fs::path& root, int epochs, const std::string& select) {
  cp::ExperimentSpec spec;
  spec.file = root / "exp.toml";
  spec.name = "t";
  spec.seed = 3;
  cp::AgentSpec agent;
  agent.name = "m";
  agent.sensor = "none";  // neither points nor images are loaded
  agent.encoder = component("encoder");
  spec.agents = {agent};
  spec.fusion = component("fusion");
  spec.head = component("head");
  spec.data.root = root;
  spec.data.train_split = spec.data.val_split = "test";
  spec.data.loader.gt_range = {-12.8, -12.8, -3.0, 12.8, 12.8, 1.0};
  spec.train.epochs = epochs;
  spec.train.lr = 1e-2;
  spec.train.select = select;
  return spec;
}

/// metrics.csv rows as columns by header name.
std::vector<std::vector<std::string>> read_csv(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST(Trainer, SelectsTheEpochWithTheHighestValidationAp) {
  ct::TempDir dir;
  const fs::path root = concord::formats::testing::write_tiny_opv2v(dir.path() / "opv2v");
  const fs::path run = dir.path() / "run";
  fs::create_directories(run);
  at::manual_seed(7);
  auto model = ct::constant_detector();
  const int epochs = 35;
  const auto r = cp::train(*model, tiny_spec(root, epochs, "val_ap"), run, false);
  EXPECT_EQ(r.epochs_done, epochs);

  const auto rows = read_csv(run / "metrics.csv");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(epochs) + 1);
  const auto& header = rows[0];
  const auto col = std::find(header.begin(), header.end(), "val_ap50") - header.begin();
  ASSERT_LT(static_cast<std::size_t>(col), header.size());
  std::vector<double> aps;
  for (std::size_t i = 1; i < rows.size(); ++i) aps.push_back(std::stod(rows[i][col]));
  for (double ap : aps) {
    EXPECT_GE(ap, 0.0);
    EXPECT_LE(ap, 1.0);
  }
  // The model learns the two frames (a tiny overfit), and the first epoch reaching
  // the maximum wins (ties keep the earlier one).
  const auto best = std::max_element(aps.begin(), aps.end());
  EXPECT_GE(*best, 0.5);
  EXPECT_EQ(r.best_epoch, static_cast<int>(best - aps.begin()) + 1);
  EXPECT_NEAR(r.best_val_ap, *best, 1e-6);

  // The "best" record names that epoch and its AP; "latest" the last epoch's AP.
  auto fresh = ct::constant_detector();
  const auto components =
      std::vector<cp::ComponentSpec>{component("encoder"), component("fusion"), component("head")};
  const auto best_meta =
      cp::load_checkpoint(run / "checkpoints", "best", *fresh, nullptr, components);
  EXPECT_EQ(best_meta.epoch, r.best_epoch);
  EXPECT_NEAR(best_meta.best_val_ap, *best, 1e-6);
  const auto latest =
      cp::load_checkpoint(run / "checkpoints", "latest", *fresh, nullptr, components);
  EXPECT_NEAR(latest.val_ap, aps.back(), 1e-6);
}

// The trainer's one-forward validation pass scores exactly what the two separate
// passes did: evaluate()'s intermediate-fusion AP@0.5 and the mean training loss.
TEST(Trainer, ValidationPassEqualsEvaluateAndTheMeanLoss) {
  ct::TempDir dir;
  const fs::path root = concord::formats::testing::write_tiny_opv2v(dir.path() / "opv2v");
  const fs::path run = dir.path() / "run";
  fs::create_directories(run);
  at::manual_seed(7);
  auto model = ct::constant_detector();
  const auto spec = tiny_spec(root, 35, "val_ap");
  cp::train(*model, spec, run, false);  // some detections above the score threshold
  const auto samples = cp::open_samples(spec.data, "test", cp::loader_options(spec));
  const auto scores = cp::validate(*model, *samples, spec.eval, true);
  EXPECT_TRUE(model->is_training());
  const double ap =
      cp::evaluate(*model, *samples, cp::EvalMode::kIntermediate, spec.eval).ap_at(0.5);
  EXPECT_GT(ap, 0.0);
  EXPECT_DOUBLE_EQ(scores.ap50, ap);
  double sum = 0.0;
  {
    torch::NoGradGuard ng;
    model->eval();
    for (std::size_t i = 0; i < samples->size(); ++i) {
      const auto s = samples->get(i);
      sum += model->loss(model->forward(s, cp::FusionMode::kIntermediate), s)
                 .at("total")
                 .item<double>();
    }
  }
  EXPECT_NEAR(scores.loss, sum / static_cast<double>(samples->size()), 1e-9);
  EXPECT_DOUBLE_EQ(cp::validate(*model, *samples, spec.eval, false).ap50, -1.0);
}

TEST(Trainer, LossSelectedRunRefusesToResumeUnderApSelection) {
  ct::TempDir dir;
  const fs::path root = concord::formats::testing::write_tiny_opv2v(dir.path() / "opv2v");
  const fs::path run = dir.path() / "run";
  fs::create_directories(run);
  auto model = ct::constant_detector();
  const auto r = cp::train(*model, tiny_spec(root, 1, "val_loss"), run, false);
  EXPECT_EQ(r.best_epoch, 1);
  EXPECT_EQ(r.best_val_ap, -1.0);  // no AP pass under loss selection
  try {
    cp::train(*model, tiny_spec(root, 2, "val_ap"), run, true);
    FAIL() << "resumed a loss-selected run with AP selection";
  } catch (const concord::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find((run / "checkpoints").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("val_ap"), std::string::npos) << msg;
  }
}

/// The ConfigError message of loading `body` after an [experiment] header, or "" (and a
/// test failure) when it loads.
std::string refusal(const fs::path& file, const std::string& body) {
  ct::write_file(file, "[experiment]\nname = \"t\"\n\n" + body);
  try {
    cp::load_experiment(file, {});
  } catch (const concord::ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted " << body;
  return "";
}

/// Writes `[section] select = "value"` to `file` and loads it: the ConfigError
/// message, or "" (with a test failure) when the value was accepted.
std::string select_refusal(const fs::path& file, const std::string& section,
                           const std::string& value) {
  return refusal(file, "[" + section + "]\nselect = \"" + value + "\"\n");
}

TEST(Trainer, OnlyDetectionTrainingSelectsOnAp) {
  ct::TempDir dir;
  const fs::path file = dir.path() / "exp.toml";
  ct::write_file(file, "[experiment]\nname = \"t\"\n\n[train]\nselect = \"val_ap\"\n");
  EXPECT_EQ(cp::load_experiment(file, {}).train.select, "val_ap");
  // Stage 2 trains receivers on detections: it may select on AP too.
  ct::write_file(file, "[experiment]\nname = \"t\"\n\n[adapt]\nselect = \"val_ap\"\n");
  const cp::ExperimentSpec adapt = cp::load_experiment(file, {});
  EXPECT_EQ(adapt.adapt.select, "val_ap");
  EXPECT_EQ(adapt.train.select, "val_loss");
  // The feature-alignment stages have no detections to score.
  for (const std::string section : {"negotiate", "join"}) {
    const std::string msg = select_refusal(file, section, "val_ap");
    EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(section + ".select"), std::string::npos) << msg;
  }
  for (const std::string section : {"train", "adapt"}) {
    const std::string msg = select_refusal(file, section, "ap");
    EXPECT_NE(msg.find("val_loss|val_ap"), std::string::npos) << msg;
  }
}

// Camera augmentation is a Step-0 ([train]) setting with a checked scale range.
TEST(Trainer, CameraAugmentationOnlyInTrainWithAValidRange) {
  ct::TempDir dir;
  const fs::path file = dir.path() / "exp.toml";
  ct::write_file(file,
                 "[experiment]\nname = \"t\"\n\n[train]\ncamera_scale = [0.9, 1.1]\n"
                 "camera_flip = true\n");
  const cp::ExperimentSpec spec = cp::load_experiment(file, {});
  EXPECT_DOUBLE_EQ(spec.train.camera_augment.scale_min, 0.9);
  EXPECT_DOUBLE_EQ(spec.train.camera_augment.scale_max, 1.1);
  EXPECT_TRUE(spec.train.camera_augment.flip);
  EXPECT_FALSE(spec.adapt.camera_augment.enabled());
  std::string msg = refusal(file, "[adapt]\ncamera_flip = true\n");
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("adapt.camera_flip: only [train]"), std::string::npos) << msg;
  for (const std::string bad : {"[1.1, 0.9]", "[0.0, 1.0]", "[0.9]"}) {
    msg = refusal(file, "[train]\ncamera_scale = " + bad + "\n");
    EXPECT_NE(msg.find("train.camera_scale: expected [min, max]"), std::string::npos) << msg;
  }
}

}  // namespace
