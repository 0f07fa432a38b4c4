// Agent/experiment configs: schema checks and component parameters, with positions.
#include <gtest/gtest.h>

#include "concord/config.hpp"
#include "concord/error.hpp"
#include "test_support.hpp"

namespace {

using concord::test::TempDir;
using concord::test::write_file;

std::vector<concord::PluginManifest> built_manifests() {
  return {concord::test::built_manifest("anchor_head"), concord::test::built_manifest("max_fusion"),
          concord::test::built_manifest("identity")};
}

std::string load_error(const std::filesystem::path& path) {
  try {
    concord::ConfigFile::load(path);
  } catch (const concord::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, UnknownKeyIsRejectedWithItsLine) {
  TempDir dir;
  const auto file = dir.path() / "m9.toml";
  write_file(file,
             "[agent]\n"
             "name = \"m9\"\n"
             "\n"
             "[sensor]\n"
             "kind = \"lidar\"\n"
             "beam = 64\n");  // typo of `beams` on line 6
  EXPECT_EQ(load_error(file), file.string() +
                                  ":6:8: unknown key 'beam' in [sensor] (expected one of: beams, "
                                  "cameras, image_height, image_width, kind)");
}

TEST(Config, WrongTypeAndRangeAndChoiceAreRejected) {
  TempDir dir;
  write_file(dir.path() / "a.toml", "[agent]\nname = 1\n");
  EXPECT_EQ(load_error(dir.path() / "a.toml"),
            (dir.path() / "a.toml").string() + ":2:8: agent.name: expected string, got int 1");
  write_file(dir.path() / "b.toml", "[agent]\nname = \"x\"\n[sensor]\nkind = \"radar\"\n");
  EXPECT_NE(load_error(dir.path() / "b.toml")
                .find(":4:8: sensor.kind: expected one of lidar|camera, got \"radar\""),
            std::string::npos);
  write_file(dir.path() / "c.toml",
             "[agent]\nname = \"x\"\n[sensor]\nkind = \"lidar\"\nbeams = 0\n");
  EXPECT_NE(load_error(dir.path() / "c.toml")
                .find(":5:9: sensor.beams: expected int in [1.0, 512.0], got 0"),
            std::string::npos);
}

TEST(Config, MissingRequiredSectionAndUnknownSection) {
  TempDir dir;
  write_file(dir.path() / "a.toml", "[experiment]\ndescription = \"no name\"\n");
  EXPECT_NE(load_error(dir.path() / "a.toml").find("missing required key 'name'"),
            std::string::npos);
  write_file(dir.path() / "b.toml", "[experiment]\nname = \"e\"\n[fuson]\nplugin = \"x\"\n");
  EXPECT_NE(load_error(dir.path() / "b.toml").find(":3:1: unknown section 'fuson'"),
            std::string::npos);
}

TEST(Config, ComponentParamsAreValidatedAgainstThePluginSpec) {
  TempDir dir;
  const auto file = dir.path() / "e.toml";
  write_file(file,
             "[experiment]\n"
             "name = \"e\"\n"
             "[head]\n"
             "plugin = \"anchor_head\"\n"
             "[head.params]\n"
             "in_channels = 32\n"
             "anchor_per_cell = 2\n");  // line 7: typo
  auto cfg = concord::ConfigFile::load(file);
  ASSERT_EQ(cfg.components().size(), 1u);
  try {
    concord::validate_component(cfg.components()[0], built_manifests());
    FAIL() << "accepted an unknown parameter";
  } catch (const concord::ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(
        msg.rfind(file.string() +
                      ":7:19: unknown parameter 'anchor_per_cell' for head 'anchor' of plugin "
                      "'anchor_head' (expected one of: ",
                  0),
        0u)
        << msg;
    EXPECT_NE(msg.find(" anchors_per_cell, "), std::string::npos) << msg;
  }
}

TEST(Config, ValidComponentGetsDefaultsFilledIn) {
  TempDir dir;
  const auto file = dir.path() / "e.toml";
  write_file(file,
             "[experiment]\nname = \"e\"\n[head]\nplugin = \"anchor_head\"\n"
             "[head.params]\nin_channels = 32\nprior_probability = 0.02\n");
  auto cfg = concord::ConfigFile::load(file);
  auto params = concord::validate_component(cfg.components()[0], built_manifests());
  EXPECT_EQ(params.get_int("in_channels"), 32);
  EXPECT_EQ(params.get_int("anchors_per_cell"), 2);  // default from plugin.toml
  EXPECT_TRUE(params.get_bool("direction"));
  EXPECT_DOUBLE_EQ(params.get_float("prior_probability"), 0.02);
}

TEST(Config, OutOfRangeParamAndMissingPlugin) {
  TempDir dir;
  const auto file = dir.path() / "e.toml";
  write_file(file,
             "[experiment]\nname = \"e\"\n[head]\nplugin = \"anchor_head\"\n"
             "[head.params]\nin_channels = 0\n[fusion]\nplugin = \"pyramid_fusion\"\n");
  auto problems = concord::check_config(file, built_manifests());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], file.string() +
                             ":6:15: head.params.in_channels: expected int in "
                             "[1.0, 4096.0], got 0");
  EXPECT_NE(problems[1].find(":7:1: [fusion] plugin 'pyramid_fusion' not found"),
            std::string::npos);
}

TEST(Config, ExperimentChecksItsAgentFiles) {
  TempDir dir;
  write_file(dir.path() / "agents" / "m1.toml",
             "[agent]\nname = \"m1\"\n[sensor]\nkind = \"lidar\"\nbeams = 64\n");
  write_file(dir.path() / "agents" / "m2.toml", "[agent]\nname = \"m2\"\n[sensor]\nkind = 2\n");
  write_file(dir.path() / "e.toml",
             "[experiment]\nname = \"e\"\nagents = [\"agents/m1.toml\", \"agents/m2.toml\", "
             "\"agents/m7.toml\"]\n");
  auto problems = concord::check_config(dir.path() / "e.toml", built_manifests());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("agents/m7.toml not found"), std::string::npos);
  EXPECT_NE(problems[1].find("m2.toml:4:8: sensor.kind: expected string"), std::string::npos);
}

TEST(Config, ShippedConfigsAreValid) {
  const std::filesystem::path root = CONCORD_TEST_SOURCE_DIR;
  int checked = 0;
  std::vector<std::string> errors;
  const auto all_built = concord::discover_manifests({concord::test::plugin_dir()}, &errors);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "configs")) {
    if (entry.path().extension() != ".toml") continue;
    // Simulator configs have their own schema (sensor/sim), and so do pipeline
    // profiles (host/driver; test_driver checks every shipped one).
    const auto folder = entry.path().parent_path().filename();
    if (folder == "sim" || folder == "profiles") continue;
    auto problems = concord::check_config(entry.path(), all_built);
    EXPECT_TRUE(problems.empty()) << entry.path() << ": " << (problems.empty() ? "" : problems[0]);
    ++checked;
  }
  EXPECT_GE(checked, 6);  // m0-m4 and at least one experiment
}

}  // namespace
