// plugin.toml parsing, validation with file:line:column, and discovery order.
#include <gtest/gtest.h>

#include "concord/error.hpp"
#include "concord/manifest.hpp"
#include "test_support.hpp"

namespace {

using concord::test::TempDir;
using concord::test::write_file;

const char* kGood = R"(name = "p"
version = "1.0.0"
library = "libp.so"
[[factory]]
kind = "fusion"
name = "max"
version = 1
  [[factory.param]]
  key = "channels"
  type = "int"
  default = 64
  min = 1
  max = 128
)";

std::string error_of(const std::filesystem::path& path) {
  try {
    concord::read_manifest(path);
  } catch (const concord::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Manifest, ParsesFactoriesAndParams) {
  TempDir dir;
  write_file(dir.path() / "plugin.toml", kGood);
  auto m = concord::read_manifest(dir.path() / "plugin.toml");
  EXPECT_EQ(m.name, "p");
  EXPECT_EQ(m.library, dir.path() / "libp.so");
  ASSERT_EQ(m.factories.size(), 1u);
  const auto* f = m.find("fusion", "max");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->params.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(*f->params[0].default_value), 64);
  EXPECT_EQ(m.find("fusion", "max", 2), nullptr);
}

TEST(Manifest, UnknownKeyNamesFileLineAndColumn) {
  TempDir dir;
  std::string text = kGood;
  text += "  units = \"m\"\n";  // line 14: a typo for `unit`
  write_file(dir.path() / "plugin.toml", text);
  EXPECT_EQ(error_of(dir.path() / "plugin.toml"),
            (dir.path() / "plugin.toml").string() +
                ":14:11: unknown key 'units' in factory.param (expected one of: choices, default, "
                "description, key, max, min, type, unit)");
}

TEST(Manifest, DefaultOutsideItsRangeIsRefused) {
  TempDir dir;
  std::string text = kGood;
  text.replace(text.find("default = 64"), 12, "default = 256");
  write_file(dir.path() / "plugin.toml", text);
  EXPECT_NE(error_of(dir.path() / "plugin.toml")
                .find(":11:13: factory.param.default: expected int in [1.0, 128.0], got 256"),
            std::string::npos);
}

TEST(Manifest, RefusesUnknownKindBadVersionAndDuplicates) {
  TempDir dir;
  std::string text = kGood;
  text.replace(text.find("kind = \"fusion\""), 15, "kind = \"fuser\"");
  write_file(dir.path() / "a.toml", text);
  EXPECT_NE(error_of(dir.path() / "a.toml").find(":5:8: factory.kind: expected encoder|"),
            std::string::npos);
  text = kGood;
  text.replace(text.find("1.0.0"), 5, "1.0");
  write_file(dir.path() / "b.toml", text);
  EXPECT_NE(error_of(dir.path() / "b.toml").find("expected \"MAJOR.MINOR.PATCH\", got \"1.0\""),
            std::string::npos);
  text = std::string(kGood) + "[[factory]]\nkind = \"fusion\"\nname = \"max\"\nversion = 1\n";
  write_file(dir.path() / "c.toml", text);
  EXPECT_NE(error_of(dir.path() / "c.toml").find("duplicate fusion/max v1"), std::string::npos);
}

TEST(Manifest, SyntaxErrorHasPosition) {
  TempDir dir;
  write_file(dir.path() / "plugin.toml", "name = \"p\"\nversion = \n");
  EXPECT_NE(error_of(dir.path() / "plugin.toml").find("plugin.toml:2:"), std::string::npos);
}

TEST(Manifest, DiscoveryKeepsTheFirstOfTheSameName) {
  TempDir a, b;
  write_file(a.path() / "p" / "plugin.toml", kGood);
  std::string other = kGood;
  other.replace(other.find("1.0.0"), 5, "2.0.0");
  write_file(b.path() / "p" / "plugin.toml", other);
  write_file(b.path() / "broken" / "plugin.toml", "name = ");
  std::vector<std::string> errors;
  auto found = concord::discover_manifests({a.path(), b.path()}, &errors);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].version, "1.0.0");
  ASSERT_EQ(errors.size(), 2u);  // the broken manifest and the shadowed one
}

}  // namespace
