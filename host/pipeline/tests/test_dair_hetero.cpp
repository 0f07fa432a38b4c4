// Heterogeneous collaboration on DAIR-V2X-C: [data] vehicle_type / roadside_type
// fix the agent type of each side (refused with one line naming the key and the
// value when wrong), HeteroLoader puts them on the vehicle (agent 0, the ego)
// and the roadside unit (agent 1); the shipped camera agent (dair_cam) reads one
// real front camera per side with sane intrinsics and its LSS encoder lands on
// the same BEV grid as the LiDAR agent (dair_pp). Real-data tests skip with a
// message when the example is absent.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/build.hpp"
#include "concord/pipeline/data_source.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/hetero_loader.hpp"
#include "concord/plugin_loader.hpp"
#include "dair_fixture.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;
namespace ct = concord::test;
namespace fs = std::filesystem;

// Two agent files (LiDAR "a_pp", camera "a_cam", no encoders) and an experiment
// naming both, with `data` as its [data] body.
fs::path write_hetero_experiment(const fs::path& dir, const std::string& data) {
  ct::write_file(dir / "a_pp.toml", "[agent]\nname = \"a_pp\"\n\n[sensor]\nkind = \"lidar\"\n");
  ct::write_file(dir / "a_cam.toml",
                 "[agent]\nname = \"a_cam\"\n\n[sensor]\nkind = \"camera\"\ncameras = 1\n");
  const fs::path file = dir / "exp.toml";
  ct::write_file(
      file,
      "[experiment]\nname = \"t\"\nagents = [\"a_pp.toml\", \"a_cam.toml\"]\n\n[data]\n" + data);
  return file;
}

// The ConfigError message of loading `file`, or "" when it loads.
std::string load_error(const fs::path& file) {
  try {
    cp::load_experiment(file, {});
  } catch (const concord::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(DairFixedTypes, KeysFixTheTypeOfEachSide) {
  ct::TempDir dir;
  const auto spec = cp::load_experiment(
      write_hetero_experiment(dir.path(),
                              "format = \"dair-v2x-c\"\nvehicle_type = \"a_cam\"\n"
                              "roadside_type = \"a_pp\"\n"),
      {});
  ASSERT_EQ(spec.data.agent_types, (std::vector<std::string>{"a_cam", "a_pp"}));
  // Member order a_pp, a_cam: the vehicle gets member 1, the RSU member 0.
  EXPECT_EQ(cp::fixed_type_indices(spec.data, {"a_pp", "a_cam"}), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(cp::fixed_type_indices(spec.data, {"a_cam", "a_pp"}), (std::vector<size_t>{0, 1}));
  // A run whose members lack a fixed type is refused naming it.
  try {
    cp::fixed_type_indices(spec.data, {"a_pp"});
    FAIL() << "accepted a fixed type that is not a member";
  } catch (const concord::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("\"a_cam\""), std::string::npos) << e.what();
  }
  // Without the keys the assignment stays the seeded draw.
  const auto seeded =
      cp::load_experiment(write_hetero_experiment(dir.path(), "format = \"dair-v2x-c\"\n"), {});
  EXPECT_TRUE(seeded.data.agent_types.empty());
  EXPECT_TRUE(cp::fixed_type_indices(seeded.data, {"a_pp", "a_cam"}).empty());
}

TEST(DairFixedTypes, BadValueIsOneLineNamingFileKeyAndValue) {
  ct::TempDir dir;
  const fs::path file = write_hetero_experiment(
      dir.path(),
      "format = \"dair-v2x-c\"\nvehicle_type = \"a_cam\"\nroadside_type = \"dair_lidar\"\n");
  std::string msg = load_error(file);
  ASSERT_FALSE(msg.empty()) << "accepted roadside_type = \"dair_lidar\"";
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_NE(msg.find(file.string() + ":8:"), std::string::npos) << msg;  // file:line
  EXPECT_NE(msg.find("data.roadside_type"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"dair_lidar\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"a_pp\""), std::string::npos) << msg;  // the accepted names
  // One side alone is refused naming the missing key.
  msg = load_error(
      write_hetero_experiment(dir.path(), "format = \"dair-v2x-c\"\nvehicle_type = \"a_cam\"\n"));
  EXPECT_NE(msg.find("data.vehicle_type"), std::string::npos) << msg;
  EXPECT_NE(msg.find("data.roadside_type"), std::string::npos) << msg;
  // OPV2V has no fixed sides.
  msg = load_error(
      write_hetero_experiment(dir.path(), "vehicle_type = \"a_cam\"\nroadside_type = \"a_pp\"\n"));
  EXPECT_NE(msg.find("data.vehicle_type"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dair-v2x-c"), std::string::npos) << msg;
  // A wrong type is a schema error naming the key.
  msg = load_error(write_hetero_experiment(
      dir.path(), "format = \"dair-v2x-c\"\nvehicle_type = 3\nroadside_type = \"a_pp\"\n"));
  EXPECT_NE(msg.find("vehicle_type"), std::string::npos) << msg;
}

TEST(DairFixedTypes, HeteroLoaderPutsTheTypesOnVehicleAndRsu) {
  ct::TempDir dir;
  const ct::TinyDair tiny = ct::write_tiny_dair(dir.path() / "dair", 38);
  cp::DataSpec data;
  data.format = cp::DataFormat::kDairV2xC;
  data.root = tiny.root;
  concord::loader::LoaderOptions lo;
  lo.gt_range = concord::formats::kDairRange;
  lo.comm_range_m = 100.0;
  // Two LiDAR types (the synthetic folder has no images). Either fixed order is
  // served on every pair; the seeded draw (one intersection, so one draw per side)
  // differs from at least one of them, so the fixed path is what decides.
  const std::vector<cp::TypeSensors> types{{40, false}, {40, false}};
  const cp::HeteroLoader seeded(data, "train", lo, types, 303);
  const std::vector<size_t> drawn = seeded.get(0).types;
  int differs = 0;
  for (const std::vector<size_t>& order : {std::vector<size_t>{1, 0}, std::vector<size_t>{0, 1}}) {
    const cp::HeteroLoader fixed(data, "train", lo, types, 303, -1, order);
    ASSERT_EQ(fixed.size(), 30u);
    for (size_t i = 0; i < fixed.size(); ++i) {
      const auto s = fixed.get(i);
      ASSERT_EQ(s.types, order) << "pair " << i;
      EXPECT_EQ(s.samples[0].agents[0].id, "vehicle");
      EXPECT_EQ(s.samples[0].agents[1].id, "infrastructure");
    }
    differs += order != drawn;
  }
  EXPECT_GE(differs, 1);
  // An index past the types and an ego type contradicting the fixed one are refused.
  EXPECT_THROW(cp::HeteroLoader(data, "train", lo, types, 303, -1, {2, 0}), c10::Error);
  EXPECT_THROW(cp::HeteroLoader(data, "train", lo, types, 303, 0, {1, 0}), c10::Error);
}

// Skips the test, naming the paths tried, when the real example is absent.
#define SKIP_WITHOUT_DAIR(root)                                         \
  std::string tried_;                                                   \
  const fs::path root = ct::dair_example_root(&tried_);                 \
  if (root.empty())                                                     \
  GTEST_SKIP() << "DAIR-V2X-C example data not found (tried " << tried_ \
               << "; set CONCORD_DAIR_ROOT or place it at ../shared/data/dair-v2x-c-example)"

// The repository's configs folder (tests run from the build tree).
fs::path configs() {
  return fs::path(CONCORD_SOURCE_DIR) / "configs" / "experiments";
}

// Manifests of the plugins the DAIR detectors use, and a registry holding them.
struct Plugins {
  std::vector<concord::PluginManifest> manifests;
  std::shared_ptr<concord::Registry> registry = std::make_shared<concord::Registry>();
  Plugins() {
    concord::PluginLoader loader(
        *registry, concord::PluginContext{concord::logger(), c10::Device(c10::kCPU), "test"});
    for (const char* name :
         {"lss", "pointpillars", "pyramid_fusion", "anchor_head", "negocollab", "negotiators"}) {
      manifests.push_back(ct::built_manifest(name));
      loader.load(manifests.back());
    }
  }
};

TEST(DairFixedTypes, RealPairsCarryTheCameraOnTheVehicleAndTheLidarOnTheRsu) {
  SKIP_WITHOUT_DAIR(root);
  Plugins plugins;
  auto spec = cp::load_experiment(configs() / "dair_negocollab.toml", plugins.manifests);
  spec.data.root = root;
  ASSERT_EQ(spec.data.agent_types, (std::vector<std::string>{"dair_cam", "dair_pp"}));
  const std::vector<std::string> names{spec.agents.at(0).name, spec.agents.at(1).name};
  const auto fixed = cp::fixed_type_indices(spec.data, names);
  std::vector<cp::TypeSensors> types;
  for (const auto& a : spec.agents)
    types.push_back(a.sensor == "camera" ? cp::TypeSensors{0, true}
                                         : cp::TypeSensors{a.beams, false});
  const cp::HeteroLoader loader(spec.data, "test", spec.data.loader, types, spec.seed, -1, fixed);
  ASSERT_EQ(loader.size(), 8u);
  for (size_t i = 0; i < loader.size(); ++i) {
    const auto s = loader.get(i);
    ASSERT_EQ(s.types.size(), 2u) << "the RSU of test pair " << i << " is out of range";
    EXPECT_EQ(names.at(s.types[0]), "dair_cam");
    EXPECT_EQ(names.at(s.types[1]), "dair_pp");
    // The ego's view: the vehicle's camera, no cloud; the RSU's: its cloud, no image.
    EXPECT_EQ(s.agent(0).id, "vehicle");
    EXPECT_TRUE(s.agent(0).input.images.defined());
    EXPECT_TRUE(s.agent(0).input.points.empty() || s.agent(0).input.points[0].size(0) == 0);
    EXPECT_EQ(s.agent(1).id, "infrastructure");
    EXPECT_FALSE(s.agent(1).input.images.defined());
    ASSERT_FALSE(s.agent(1).input.points.empty());
    EXPECT_GT(s.agent(1).input.points[0].size(0), 1000);
  }
}

TEST(DairCamera, RealPairHasOneCameraPerSideWithSaneIntrinsics) {
  SKIP_WITHOUT_DAIR(root);
  Plugins plugins;
  auto spec = cp::load_experiment(configs() / "dair_cam_step0.toml", plugins.manifests);
  spec.data.root = root;
  const auto source = cp::open_samples(spec.data, "test", cp::loader_options(spec));
  const auto sample = source->get(0);
  ASSERT_EQ(sample.agents.size(), 2u);
  for (const auto& agent : sample.agents) {
    SCOPED_TRACE(agent.id);
    const at::Tensor& images = agent.input.images;
    ASSERT_TRUE(images.defined());
    ASSERT_EQ(images.dim(), 5);
    EXPECT_EQ(images.size(0), 1);
    EXPECT_EQ(images.size(1), 1);  // one camera
    EXPECT_EQ(images.size(2), 3);
    const double h = static_cast<double>(images.size(3)), w = static_cast<double>(images.size(4));
    EXPECT_GT(images.max().item<float>(), 0.2f);  // a real picture, not a blank
    ASSERT_EQ(agent.input.intrinsics.sizes(), (at::IntArrayRef{1, 1, 3, 3}));
    const at::Tensor k = agent.input.intrinsics[0][0].to(at::kDouble);
    EXPECT_GT(k[0][0].item<double>(), 0.0);  // fx
    EXPECT_GT(k[1][1].item<double>(), 0.0);  // fy
    EXPECT_GT(k[0][2].item<double>(), 0.0);  // cx inside the image
    EXPECT_LT(k[0][2].item<double>(), w);
    EXPECT_GT(k[1][2].item<double>(), 0.0);  // cy
    EXPECT_LT(k[1][2].item<double>(), h);
    EXPECT_DOUBLE_EQ(k[2][2].item<double>(), 1.0);
    // camera → LiDAR: the optical axis (camera +z) looks forward-ish (LiDAR +x).
    const at::Tensor t = agent.input.camera_to_lidar[0][0].to(at::kDouble);
    EXPECT_GT(t[0][2].item<double>(), 0.5) << t;
    EXPECT_TRUE(at::allclose(t[3], at::tensor({0.0, 0.0, 0.0, 1.0}, t.options())));
    EXPECT_FALSE(agent.input.depth.defined());  // DAIR has no depth images
  }
}

TEST(DairCamera, LssForwardLandsOnTheLidarAgentsGridWithoutDepthLoss) {
  SKIP_WITHOUT_DAIR(root);
  Plugins plugins;
  auto cam = cp::load_experiment(configs() / "dair_cam_step0.toml", plugins.manifests);
  auto pp = cp::load_experiment(configs() / "dair_pp_step0.toml", plugins.manifests);
  cam.data.root = pp.data.root = root;
  auto cam_detector = cp::build_detector(cam, *plugins.registry);
  auto pp_detector = cp::build_detector(pp, *plugins.registry);
  const auto cam_sample = cp::open_samples(cam.data, "test", cp::loader_options(cam))->get(0);
  const auto pp_sample = cp::open_samples(pp.data, "test", cp::loader_options(pp))->get(0);
  at::Tensor bev;
  {
    at::NoGradGuard no_grad;
    bev = cam_detector->encode(cam_sample.agents.at(0));
  }
  const at::Tensor lidar_bev = pp_detector->encode(pp_sample.agents.at(0));
  EXPECT_EQ(bev.sizes(), (at::IntArrayRef{1, 64, 128, 128}));  // 0.8 m cells over ±51.2 m
  EXPECT_EQ(bev.sizes(), lidar_bev.sizes());
  EXPECT_TRUE(at::isfinite(bev).all().item<bool>());
  EXPECT_GT(bev.abs().sum().item<double>(), 0.0);
  // Training loss on the real pair: detection terms, no depth term (no depth images).
  const auto out = cam_detector->forward(cam_sample, cp::FusionMode::kIntermediate);
  const auto terms = cam_detector->loss(out, cam_sample);
  EXPECT_EQ(terms.count("depth"), 0u);
  ASSERT_EQ(terms.count("total"), 1u);
  EXPECT_TRUE(std::isfinite(terms.at("total").item<double>()));
}

}  // namespace
