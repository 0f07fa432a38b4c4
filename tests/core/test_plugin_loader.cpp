// Loading real plugin libraries: acceptance and every refusal path of the ABI.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/modules/encoder.hpp"
#include "concord/plugin_abi.h"
#include "concord/plugin_loader.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using concord::test::TempDir;
using concord::test::write_file;

const fs::path kFixtures = CONCORD_TEST_FIXTURE_DIR;

concord::PluginManifest fixture(const std::string& name) {
  return concord::read_manifest(kFixtures / name / "plugin.toml");
}

concord::PluginContext context() {
  return concord::PluginContext{concord::logger(), c10::Device(c10::kCPU), "test"};
}

// The message of the PluginLoadError that loading `m` raises ("" if it loads).
std::string refusal(const concord::PluginManifest& m, concord::Registry& registry) {
  concord::PluginLoader loader(registry, context());
  try {
    loader.load(m);
  } catch (const concord::PluginLoadError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginLoader, GoodPluginIsFoundAndInstantiated) {
  concord::Registry registry;
  ASSERT_EQ(refusal(fixture("test_good"), registry), "");
  concord::ParamSet p;
  p.set("channels", int64_t{3});
  p.set("size", int64_t{2});
  p.set("scale", 0.5);
  p.set("mode", std::string("count"));
  auto encoder = registry.create<concord::Encoder>("constant", 1, p);
  concord::SensorInput in;
  in.points = {at::zeros({10, 4}), at::zeros({4, 4})};
  at::Tensor bev = encoder->forward(in).bev;
  ASSERT_EQ(bev.sizes(), (std::vector<int64_t>{2, 3, 2, 2}));
  EXPECT_FLOAT_EQ(bev[0].max().item<float>(), 5.0f);  // 0.5 * 10 points
  EXPECT_FLOAT_EQ(bev[1].min().item<float>(), 2.0f);  // 0.5 * 4 points
  // Unversioned lookup takes the highest version (v2 doubles the scale).
  concord::ParamSet p2;
  p2.set("scale", 1.5);
  EXPECT_FLOAT_EQ(
      registry.create<concord::Encoder>("constant", -1, p2)->forward(in).bev.max().item<float>(),
      3.0f);
  // The descriptor as inspect shows it.
  auto d = concord::inspect_library(fixture("test_good").library);
  EXPECT_EQ(d.name, "test_good");
  EXPECT_EQ(d.version, "1.2.3");
  EXPECT_EQ(d.build_fingerprint, concord::host_build_fingerprint());
  EXPECT_EQ(d.provides.size(), 2u);
}

TEST(PluginLoader, AbiMajorMismatchIsRefused) {
  concord::Registry registry;
  const auto m = fixture("test_abi_major");
  EXPECT_EQ(refusal(m, registry), m.library.string() + ": ABI major mismatch: expected " +
                                      std::to_string(CONCORD_ABI_MAJOR) + ", found " +
                                      std::to_string(CONCORD_ABI_MAJOR + 1));
  EXPECT_TRUE(registry.list().empty());
}

TEST(PluginLoader, NewerAbiMinorIsRefused) {
  concord::Registry registry;
  const auto m = fixture("test_abi_minor");
  EXPECT_EQ(refusal(m, registry), m.library.string() + ": ABI minor too new: expected <= " +
                                      std::to_string(CONCORD_ABI_MINOR) + ", found " +
                                      std::to_string(CONCORD_ABI_MINOR + 1));
}

TEST(PluginLoader, FingerprintMismatchIsRefused) {
  concord::Registry registry;
  const auto m = fixture("test_fingerprint");
  EXPECT_EQ(refusal(m, registry),
            m.library.string() + ": build fingerprint mismatch: expected \"" +
                concord::host_build_fingerprint() +
                "\", found \"gcc-0.0.0;cxx11abi=0;torch=0.0.0;cuda=none;core_abi=1\"");
}

TEST(PluginLoader, NonElfFileIsRefused) {
  TempDir dir;
  write_file(dir.path() / "libfake.so", "this is not a library\n");
  write_file(dir.path() / "plugin.toml",
             "name = \"fake\"\nversion = \"1.0.0\"\nlibrary = \"libfake.so\"\n"
             "[[factory]]\nkind = \"fusion\"\nname = \"f\"\nversion = 1\n");
  concord::Registry registry;
  const auto m = concord::read_manifest(dir.path() / "plugin.toml");
  EXPECT_EQ(refusal(m, registry),
            (dir.path() / "libfake.so").string() + ": not a shared library (expected an ELF file)");
}

TEST(PluginLoader, TruncatedElfIsRefusedWithTheLoaderMessage) {
  TempDir dir;
  write_file(dir.path() / "libcut.so", std::string("\x7f"
                                                   "ELF\x02\x01\x01",
                                                   7));
  write_file(dir.path() / "plugin.toml",
             "name = \"cut\"\nversion = \"1.0.0\"\nlibrary = \"libcut.so\"\n"
             "[[factory]]\nkind = \"fusion\"\nname = \"f\"\nversion = 1\n");
  concord::Registry registry;
  const std::string msg = refusal(concord::read_manifest(dir.path() / "plugin.toml"), registry);
  EXPECT_EQ(msg.rfind((dir.path() / "libcut.so").string() + ": cannot load shared library: ", 0),
            0u)
      << msg;
}

TEST(PluginLoader, LibraryWithoutEntryPointsIsRefused) {
  concord::Registry registry;
  const auto m = fixture("test_no_entry");
  EXPECT_EQ(refusal(m, registry), m.library.string() +
                                      ": missing entry point concord_plugin_descriptor_v1 (not a "
                                      "Concord plugin)");
}

TEST(PluginLoader, ThrowingRegistrationIsRefusedAndRegistersNothing) {
  concord::Registry registry;
  const auto m = fixture("test_throws");
  EXPECT_EQ(
      refusal(m, registry),
      m.library.string() + ": registration failed: model weights file missing (simulated failure)");
  EXPECT_FALSE(registry.contains("fusion", "throws"));
}

TEST(PluginLoader, ManifestMustMatchTheDescriptor) {
  TempDir dir;
  const auto good = fixture("test_good");
  std::string text = "name = \"test_good\"\nversion = \"1.2.4\"\nlibrary = \"" +
                     good.library.string() +
                     "\"\n[[factory]]\nkind = \"encoder\"\nname = \"constant\"\nversion = 1\n";
  write_file(dir.path() / "plugin.toml", text);
  concord::Registry registry;
  EXPECT_NE(refusal(concord::read_manifest(dir.path() / "plugin.toml"), registry)
                .find("descriptor version 1.2.3 differs from"),
            std::string::npos);
}

TEST(PluginLoader, OneBadPluginDoesNotStopTheOthers) {
  concord::Registry registry;
  concord::PluginLoader loader(registry, context());
  std::vector<std::string> errors;
  auto manifests = concord::discover_manifests({kFixtures}, &errors);
  EXPECT_TRUE(errors.empty());
  auto results = loader.load_all(manifests);
  int loaded = 0;
  for (const auto& r : results) {
    if (r.loaded) {
      ++loaded;
      EXPECT_EQ(r.plugin, "test_good");
    } else {
      EXPECT_EQ(r.error.find('\n'), std::string::npos) << "one line per refusal";
      EXPECT_EQ(r.error.rfind(r.library.string() + ": ", 0), 0u) << "names the file";
    }
  }
  EXPECT_EQ(loaded, 1);
  EXPECT_EQ(results.size(), 6u);
  EXPECT_TRUE(registry.contains("encoder", "constant", 2));
  // Loading the same plugin again is a duplicate, refused without touching the registry.
  EXPECT_NE(refusal(fixture("test_good"), registry).find("already provided by plugin 'test_good'"),
            std::string::npos);
}

}  // namespace
