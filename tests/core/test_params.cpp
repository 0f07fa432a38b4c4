// Parameter values and their validation against a spec.
#include <gtest/gtest.h>

#include "concord/error.hpp"
#include "concord/params.hpp"

namespace {

concord::ParamSpec int_spec(double lo, double hi) {
  concord::ParamSpec s;
  s.key = "channels";
  s.type = concord::ParamType::kInt;
  s.min = lo;
  s.max = hi;
  return s;
}

TEST(Params, IntRangeIsInclusive) {
  auto s = int_spec(1, 64);
  EXPECT_EQ(concord::check_value(s, int64_t{1}), "");
  EXPECT_EQ(concord::check_value(s, int64_t{64}), "");
  EXPECT_EQ(concord::check_value(s, int64_t{65}), "expected int in [1.0, 64.0], got 65");
  EXPECT_EQ(concord::check_value(s, int64_t{0}), "expected int in [1.0, 64.0], got 0");
}

TEST(Params, WrongTypeNamesBothTypes) {
  auto s = int_spec(1, 64);
  EXPECT_EQ(concord::check_value(s, std::string("64")),
            "expected int in [1.0, 64.0], got string \"64\"");
  EXPECT_EQ(concord::check_value(s, 2.5), "expected int in [1.0, 64.0], got float 2.5");
}

TEST(Params, FloatAcceptsIntegersAndChecksListsElementwise) {
  concord::ParamSpec s;
  s.key = "range_m";
  s.type = concord::ParamType::kFloatList;
  s.min = -100;
  s.max = 100;
  EXPECT_EQ(concord::check_value(s, std::vector<int64_t>{-51, 51}), "");
  EXPECT_EQ(concord::check_value(s, std::vector<double>{-51.2, 102.4}),
            "expected float_list in [-100.0, 100.0] elements, got 102.4");
  concord::ParamSpec f;
  f.key = "scale";
  f.type = concord::ParamType::kFloat;
  EXPECT_EQ(concord::check_value(f, int64_t{3}), "");
}

TEST(Params, StringChoices) {
  concord::ParamSpec s;
  s.key = "mode";
  s.type = concord::ParamType::kString;
  s.choices = {"max", "pyramid"};
  EXPECT_EQ(concord::check_value(s, std::string("max")), "");
  EXPECT_EQ(concord::check_value(s, std::string("mean")),
            "expected one of max|pyramid, got \"mean\"");
}

TEST(Params, TypedGettersRefuseOtherTypesAndMissingKeys) {
  concord::ParamSet p;
  p.set("n", int64_t{4});
  p.set("name", std::string("m1"));
  EXPECT_EQ(p.get_int("n"), 4);
  EXPECT_DOUBLE_EQ(p.get_float("n"), 4.0);
  EXPECT_THROW(p.get_int("name"), concord::ConfigError);
  EXPECT_THROW(p.get_bool("missing"), concord::ConfigError);
  try {
    p.get_string("n");
    FAIL();
  } catch (const concord::ConfigError& e) {
    EXPECT_STREQ(e.what(), "parameter 'n': expected string, got int 4");
  }
}

TEST(Params, DefaultsOfRequiresEveryDefault) {
  auto a = int_spec(1, 8);
  a.default_value = int64_t{2};
  auto b = int_spec(1, 8);
  b.key = "other";
  EXPECT_EQ(concord::defaults_of({a}, "x").get_int("channels"), 2);
  EXPECT_THROW(concord::defaults_of({a, b}, "x"), concord::ConfigError);
}

}  // namespace
