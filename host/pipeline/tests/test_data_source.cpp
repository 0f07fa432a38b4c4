// [data] format and open_samples: the experiment file selects the dataset
// format (a bad value is refused naming the file and key), the factory opens
// OPV2V through CollabLoader unchanged and DAIR-V2X-C through DairV2xLoader
// (synthetic folder; the real example is skipped when absent). Stage-1 pair data
// read through a member's on-disk store (local_store.hpp) on the synthetic DAIR folder.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "concord/error.hpp"
#include "concord/formats/dair_v2x.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/opv2v_dataset.hpp"
#include "concord/loader/collab_loader.hpp"
#include "concord/pipeline/data_source.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/local_store.hpp"
#include "concord/pipeline/negotiation.hpp"
#include "constant_detector.hpp"
#include "dair_fixture.hpp"
#include "test_support.hpp"
#include "tiny_dataset.hpp"

namespace {

namespace cp = concord::pipeline;
namespace cl = concord::loader;
namespace cf = concord::formats;
namespace ct = concord::test;
namespace fs = std::filesystem;

// An experiment file without agents or components, with `data` as its [data] body.
fs::path write_experiment(const fs::path& dir, const std::string& data) {
  const fs::path file = dir / "exp.toml";
  ct::write_file(file, "[experiment]\nname = \"t\"\n\n[data]\n" + data);
  return file;
}

// The [data] spec of a DAIR-V2X-C folder at `root`.
cp::DataSpec dair_data(const fs::path& root) {
  cp::DataSpec data;
  data.format = cp::DataFormat::kDairV2xC;
  data.root = root;
  return data;
}

// HEAL's DAIR loader settings: its GT range and 100 m communication range.
cl::LoaderOptions dair_loader_options() {
  cl::LoaderOptions lo;
  lo.gt_range = cf::kDairRange;
  lo.comm_range_m = 100.0;
  return lo;
}

TEST(DataFormat, DefaultsToOpv2v) {
  ct::TempDir dir;
  const auto spec = cp::load_experiment(write_experiment(dir.path(), "root = \"x\"\n"), {});
  EXPECT_EQ(spec.data.format, cp::DataFormat::kOpv2v);
  EXPECT_EQ(cp::format_name(spec.data.format), "opv2v");
  EXPECT_DOUBLE_EQ(spec.data.loader.comm_range_m, 70.0);
  EXPECT_EQ(spec.data.loader.gt_range, cf::kOpenCoodGtRange);
}

TEST(DataFormat, DairTakesHealDefaultsUnlessSet) {
  ct::TempDir dir;
  auto spec = cp::load_experiment(
      write_experiment(dir.path(), "format = \"dair-v2x-c\"\nroot = \"x\"\n"), {});
  EXPECT_EQ(spec.data.format, cp::DataFormat::kDairV2xC);
  EXPECT_EQ(cp::format_name(spec.data.format), "dair-v2x-c");
  EXPECT_DOUBLE_EQ(spec.data.loader.comm_range_m, 100.0);
  EXPECT_EQ(spec.data.loader.gt_range, cf::kDairRange);
  spec = cp::load_experiment(write_experiment(dir.path(),
                                              "format = \"dair-v2x-c\"\ncomm_range_m = 50.0\n"
                                              "gt_range = [-51.2, -51.2, -3.5, 51.2, 51.2, 1.5]\n"),
                             {});
  EXPECT_DOUBLE_EQ(spec.data.loader.comm_range_m, 50.0);
  EXPECT_DOUBLE_EQ(spec.data.loader.gt_range[0], -51.2);
}

TEST(DataFormat, BadValueNamesFileAndKey) {
  ct::TempDir dir;
  const fs::path file = write_experiment(dir.path(), "format = \"dair\"\n");
  try {
    cp::load_experiment(file, {});
    FAIL() << "accepted data.format = \"dair\"";
  } catch (const concord::ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("data.format"), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"dair\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("dair-v2x-c"), std::string::npos) << msg;
    EXPECT_NE(msg.find("opv2v"), std::string::npos) << msg;
  }
}

TEST(OpenSamples, Opv2vIsTheCollabLoader) {
  ct::TempDir dir;
  const fs::path root = concord::formats::testing::write_tiny_opv2v(dir.path() / "opv2v");
  cp::DataSpec data;
  data.root = root;
  cl::LoaderOptions lo;
  lo.lidar_beams = 0;  // the tiny ego has no cloud
  lo.gt_range = {-50, -50, -3, 50, 50, 1};
  const auto source = cp::open_samples(data, "test", lo);
  const cf::Opv2vDataset ds(root, "test");
  const cl::CollabLoader direct(ds, lo);
  ASSERT_EQ(source->size(), direct.size());
  ASSERT_GT(source->size(), 0u);
  EXPECT_EQ(source->gt_range(), lo.gt_range);
  for (std::size_t i = 0; i < source->size(); ++i) {
    const auto a = source->get(i);
    const auto b = direct.get(i);
    EXPECT_EQ(a.timestamp, b.timestamp);
    ASSERT_EQ(a.agents.size(), b.agents.size());
    for (std::size_t k = 0; k < a.agents.size(); ++k) {
      EXPECT_EQ(a.agents[k].id, b.agents[k].id);
      EXPECT_TRUE(at::equal(a.agents[k].ego_from_agent, b.agents[k].ego_from_agent));
    }
    EXPECT_TRUE(at::equal(a.gt_boxes, b.gt_boxes));
  }
  EXPECT_THROW(cp::open_samples(data, "train", lo), cf::FormatError);  // no such split folder
}

TEST(OpenSamples, DairSplitNamesAndOptions) {
  EXPECT_EQ(cp::dair_split("train"), cl::DairSplit::kTrain);
  EXPECT_EQ(cp::dair_split("validate"), cl::DairSplit::kValidate);
  EXPECT_EQ(cp::dair_split("test"), cl::DairSplit::kTest);
  EXPECT_EQ(cp::dair_split("all"), cl::DairSplit::kAll);
  try {
    cp::dair_split("val");
    FAIL() << "accepted split \"val\"";
  } catch (const concord::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("\"val\""), std::string::npos) << e.what();
  }
  cl::LoaderOptions lo;
  lo.lidar_beams = 0;
  lo.cameras = true;
  lo.comm_range_m = 42.0;
  lo.pose_noise_xy_m = 0.2;
  lo.pose_noise_yaw_deg = 0.3;
  lo.seed = 9;
  const cl::DairLoaderOptions o = cp::dair_loader_options(lo);
  EXPECT_FALSE(o.points);
  EXPECT_TRUE(o.cameras);
  EXPECT_DOUBLE_EQ(o.comm_range_m, 42.0);
  EXPECT_EQ(o.gt_range, lo.gt_range);
  EXPECT_DOUBLE_EQ(o.pose_noise_xy_m, 0.2);
  EXPECT_DOUBLE_EQ(o.pose_noise_yaw_deg, 0.3);
  EXPECT_EQ(o.seed, 9u);
  EXPECT_FALSE(o.heal_intensity);
  lo.lidar_beams = 40;
  EXPECT_TRUE(cp::dair_loader_options(lo).points);
}

TEST(OpenSamples, DairIsTheDairLoader) {
  ct::TempDir dir;
  const ct::TinyDair tiny = ct::write_tiny_dair(dir.path() / "dair", 38);
  cp::DataSpec data = dair_data(tiny.root);
  cl::LoaderOptions lo = dair_loader_options();
  const cf::DairV2xDataset ds(tiny.root);
  const cl::DairLoaderOptions dlo = cp::dair_loader_options(lo);
  // Splits by time: train = pairs 0-29, validate = 27-29, test = 30-37.
  const std::vector<std::pair<std::string, std::size_t>> splits{
      {"train", 0}, {"validate", 27}, {"test", 30}, {"all", 0}};
  for (const auto& [split, first] : splits) {
    SCOPED_TRACE(split);
    const auto source = cp::open_samples(data, split, lo);
    const cl::DairV2xLoader direct(ds, dlo, cp::dair_split(split));
    ASSERT_EQ(source->size(), direct.size());
    EXPECT_EQ(direct.indices().front(), first);
    for (std::size_t i : {std::size_t{0}, source->size() - 1}) {
      const auto a = source->get(i);
      const auto b = direct.get(i);
      EXPECT_EQ(a.timestamp, tiny.vehicle_ids.at(first + i));
      EXPECT_EQ(a.timestamp, b.timestamp);
      ASSERT_EQ(a.agents.size(), b.agents.size());
      EXPECT_EQ(a.agents.front().id, "vehicle");
      EXPECT_TRUE(at::equal(a.gt_boxes, b.gt_boxes));
    }
  }
  EXPECT_EQ(cp::open_samples(data, "train", lo)->size(), 30u);
  EXPECT_EQ(cp::open_samples(data, "validate", lo)->size(), 3u);
  EXPECT_EQ(cp::open_samples(data, "test", lo)->size(), 8u);
  // The GT filter's range: z widened by the loader's 1 m margin.
  const auto r = cp::open_samples(data, "test", lo)->gt_range();
  EXPECT_DOUBLE_EQ(r[2], cf::kDairRange[2] - 1.0);
  EXPECT_DOUBLE_EQ(r[5], cf::kDairRange[5] + 1.0);
  EXPECT_DOUBLE_EQ(r[0], cf::kDairRange[0]);
  // max_agents 1 keeps the vehicle only.
  ASSERT_EQ(cp::open_samples(data, "train", lo)->get(0).agents.size(), 2u);
  lo.max_agents = 1;
  EXPECT_EQ(cp::open_samples(data, "train", lo)->get(0).agents.size(), 1u);
  // An unknown split is refused; the 30/8 split does not fit 3 pairs.
  EXPECT_THROW(cp::open_samples(data, "val", lo), concord::ConfigError);
  const ct::TinyDair small = ct::write_tiny_dair(dir.path() / "small", 3);
  data.root = small.root;
  EXPECT_THROW(cp::open_samples(data, "train", lo), std::invalid_argument);
}

TEST(OpenSamples, RealDairSplitsAndAgents) {
  std::string tried;
  const fs::path root = ct::dair_example_root(&tried);
  if (root.empty()) {
    GTEST_SKIP() << "DAIR-V2X-C example data not found (tried " << tried
                 << "; set CONCORD_DAIR_ROOT or place it at ../shared/data/dair-v2x-c-example)";
  }
  cp::DataSpec data;
  data.format = cp::DataFormat::kDairV2xC;
  data.root = root;
  cl::LoaderOptions lo;
  lo.lidar_beams = 40;
  lo.comm_range_m = 100.0;
  lo.gt_range = {-51.2, -51.2, -3.5, 51.2, 51.2, 1.5};
  const auto train = cp::open_samples(data, "train", lo);
  const auto validate = cp::open_samples(data, "validate", lo);
  const auto test = cp::open_samples(data, "test", lo);
  EXPECT_EQ(train->size(), 30u);
  EXPECT_EQ(validate->size(), 3u);
  EXPECT_EQ(test->size(), 8u);
  std::set<std::string> train_frames;
  for (std::size_t i = 0; i < train->size(); ++i) {
    const auto s = train->get(i);
    train_frames.insert(s.timestamp);
    ASSERT_EQ(s.agents.size(), 2u) << "the RSU of train pair " << i << " is out of range";
    EXPECT_EQ(s.agents[1].id, "infrastructure");
    for (const auto& a : s.agents) EXPECT_GT(a.input.points.at(0).size(0), 1000);
  }
  for (std::size_t i = 0; i < validate->size(); ++i)
    EXPECT_EQ(train_frames.count(validate->get(i).timestamp), 1u);
  for (std::size_t i = 0; i < test->size(); ++i) {
    const auto s = test->get(i);
    EXPECT_EQ(train_frames.count(s.timestamp), 0u) << "test frame " << s.timestamp << " in train";
    ASSERT_EQ(s.agents.size(), 2u) << "the RSU of test pair " << i << " is out of range";
    EXPECT_GT(s.gt_boxes.size(0), 0);
  }
}

// encode_pair_data through a member's store: the first pass encodes and stores
// every agent-frame, a second pass (a new store object on the same folder, as the
// next stage's process) encodes nothing and yields the same items; a damaged entry
// is encoded again.
TEST(EncodePairData, SecondPassReadsTheMembersStore) {
  ct::TempDir dir;
  const ct::TinyDair tiny = ct::write_tiny_dair(dir.path() / "dair", 38);
  const cp::DataSpec data = dair_data(tiny.root);
  const cl::LoaderOptions lo = dair_loader_options();
  at::manual_seed(3);
  auto encoder = std::make_shared<ct::CountingEncoder>();
  cp::FrozenMember m;
  m.agent.name = "m1";
  m.agent.sensor = "lidar";
  m.detector = ct::constant_detector(encoder);
  m.store = std::make_shared<cp::LocalStore>(dir.path() / "locals" / "m1");
  const auto first = cp::encode_pair_data({m}, data, "train", lo, 3, "train");
  ASSERT_FALSE(first.empty());
  const int encoded = encoder->calls;
  EXPECT_EQ(static_cast<size_t>(encoded), first.size());  // one call per agent-frame
  EXPECT_EQ(m.store->misses(), first.size());

  m.store = std::make_shared<cp::LocalStore>(m.store->dir());
  const auto second = cp::encode_pair_data({m}, data, "train", lo, 3, "train");
  EXPECT_EQ(encoder->calls, encoded);
  EXPECT_EQ(m.store->hits(), first.size());
  ASSERT_EQ(second.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(second[i].tag, first[i].tag);
    EXPECT_TRUE(second[i].locals.at(0).equal(first[i].locals.at(0))) << first[i].tag;
    EXPECT_TRUE(second[i].gt_boxes.equal(first[i].gt_boxes)) << first[i].tag;
  }
  // The store keys on scenario / timestamp / agent id: damage the first item's file.
  const cl::CollabSample s0 = cp::open_samples(data, "train", lo)->get(0);
  const fs::path f = m.store->file("fp32", s0.scenario, s0.timestamp, s0.agents.at(0).id);
  ASSERT_TRUE(fs::exists(f)) << f;
  fs::resize_file(f, 3);
  cp::encode_pair_data({m}, data, "train", lo, 3, "train");
  EXPECT_EQ(encoder->calls, encoded + 1);
}

}  // namespace
