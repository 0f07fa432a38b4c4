// The alliance artifact: round trip, the content-hash id (changes with any
// negotiator weight, not with a joined member), refusal of a foreign alliance id,
// clear errors on malformed manifests.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "concord/error.hpp"
#include "concord/pipeline/alliance.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;

cp::ComponentSpec component(const std::string& kind, const std::string& name) {
  cp::ComponentSpec c{kind, name, "1.0.0", name, 1, {}};
  c.params.set("channels", int64_t{64});
  c.params.set("window", std::vector<int64_t>{8, 8});
  c.params.set("dropout", 0.1);
  return c;
}

cp::AllianceMember member(const std::string& agent, bool founder) {
  cp::AllianceMember m;
  m.agent = agent;
  m.founder = founder;
  m.sender = component("sender", "negocollab");
  m.receiver = component("receiver", "negocollab");
  return m;
}

cp::AllianceManifest founders_m1m2() {
  cp::AllianceManifest m;
  m.common = cp::CommonSpec{64, 0.8, -38.4, 38.4, -38.4, 38.4};
  m.negotiator = component("negotiator", "fpn");
  m.members = {member("m1", true), member("m2", true)};
  return m;
}

struct Modules {
  torch::nn::Linear negotiator{4, 3};
  torch::nn::Linear s1{2, 2}, r1{2, 2}, s2{2, 2}, r2{2, 2};
};

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Alliance, RoundTripKeepsManifestAndWeights) {
  concord::test::TempDir dir;
  Modules w;
  cp::AllianceManifest m = founders_m1m2();
  cp::write_alliance(dir.path(), m, w.negotiator.get(), {w.s1.get(), w.s2.get()},
                     {w.r1.get(), w.r2.get()});
  ASSERT_EQ(m.id.rfind("sha256:", 0), 0u);
  EXPECT_EQ(m.id.size(), 7u + 64u);
  EXPECT_EQ(m.members[0].trained_against, m.id);  // founders are trained against it

  const cp::AllianceManifest r = cp::read_alliance(dir.path());
  EXPECT_EQ(r.id, m.id);
  EXPECT_EQ(r.common.height(), 96);
  EXPECT_EQ(r.common.width(), 96);
  EXPECT_EQ(r.negotiator.plugin, "fpn");
  EXPECT_EQ(r.negotiator.params.get_int_list("window"), (std::vector<int64_t>{8, 8}));
  EXPECT_DOUBLE_EQ(r.negotiator.params.get_float("dropout"), 0.1);
  ASSERT_EQ(r.members.size(), 2u);
  EXPECT_TRUE(r.members[1].founder);
  EXPECT_EQ(r.members[1].receiver.kind, "receiver");
  EXPECT_EQ(cp::alliance_id(r, cp::module_digest(*w.negotiator)), m.id);

  torch::nn::Linear neg(4, 3), s(2, 2), rcv(2, 2);
  cp::load_negotiator(dir.path(), r, *neg);
  EXPECT_TRUE(at::equal(neg->weight, w.negotiator->weight));
  cp::load_member(dir.path(), r, "m2", *s, *rcv);
  EXPECT_TRUE(at::equal(s->weight, w.s2->weight));
  EXPECT_TRUE(at::equal(rcv->bias, w.r2->bias));
  // No temporary file is left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_NE(e.path().extension(), ".tmp") << e.path();
}

TEST(Alliance, IdChangesWithAnyNegotiatorWeightButNotWithAJoinedMember) {
  Modules w;
  cp::AllianceManifest m = founders_m1m2();
  const std::string id = cp::alliance_id(m, cp::module_digest(*w.negotiator));
  EXPECT_EQ(cp::alliance_id(m, cp::module_digest(*w.negotiator)), id);  // deterministic

  for (const std::string name : {"weight", "bias"}) {
    torch::nn::Linear copy(4, 3);
    {
      at::NoGradGuard g;
      copy->weight.copy_(w.negotiator->weight);
      copy->bias.copy_(w.negotiator->bias);
      at::Tensor t = name == "weight" ? copy->weight : copy->bias;
      t.view(-1)[1] = std::nextafter(t.view(-1)[1].item<float>(), 10.0f);  // one ULP
    }
    EXPECT_NE(cp::alliance_id(m, cp::module_digest(*copy)), id) << name;
  }

  cp::AllianceManifest joined = m;
  joined.members.push_back(member("m3", false));
  EXPECT_EQ(cp::alliance_id(joined, cp::module_digest(*w.negotiator)), id);

  cp::AllianceManifest other_founders = m;
  other_founders.members[1].agent = "m4";
  EXPECT_NE(cp::alliance_id(other_founders, cp::module_digest(*w.negotiator)), id);
  cp::AllianceManifest other_spec = m;
  other_spec.common.cell_size_m = 0.4;
  EXPECT_NE(cp::alliance_id(other_spec, cp::module_digest(*w.negotiator)), id);
  cp::AllianceManifest other_param = m;
  other_param.negotiator.params.set("channels", int64_t{32});
  EXPECT_NE(cp::alliance_id(other_param, cp::module_digest(*w.negotiator)), id);
}

TEST(Alliance, ForeignNegotiatorWeightsAndMismatchedMembersAreRefused) {
  concord::test::TempDir dir;
  Modules w;
  cp::AllianceManifest m = founders_m1m2();
  m.members.push_back(member("m3", false));
  m.members.back().trained_against = "sha256:" + std::string(64, '0');
  cp::write_alliance(dir.path(), m, w.negotiator.get(), {w.s1.get(), w.s2.get(), w.s1.get()},
                     {w.r1.get(), w.r2.get(), w.r1.get()});
  const cp::AllianceManifest r = cp::read_alliance(dir.path());

  // m3 was trained against another alliance: refused, naming m3 and both ids.
  torch::nn::Linear s(2, 2), rcv(2, 2);
  try {
    cp::load_member(dir.path(), r, "m3", *s, *rcv);
    FAIL() << "expected AllianceMismatch";
  } catch (const cp::AllianceMismatch& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("m3"), std::string::npos) << msg;
    EXPECT_NE(msg.find(r.id), std::string::npos) << msg;
    EXPECT_NE(msg.find("concord join"), std::string::npos) << msg;
  }
  EXPECT_THROW(cp::load_member(dir.path(), r, "m9", *s, *rcv), concord::Error);
  EXPECT_NO_THROW(cp::require_same_alliance(r.id, r.id, "m1"));
  EXPECT_THROW(cp::require_same_alliance(r.id, "sha256:x", "m1"), cp::AllianceMismatch);

  // Replace negotiator.pt with other weights: the recomputed id no longer matches.
  torch::nn::Linear foreign(4, 3);
  torch::serialize::OutputArchive archive;
  foreign->save(archive);
  archive.save_to((dir.path() / "negotiator.pt").string());
  torch::nn::Linear neg(4, 3);
  EXPECT_THROW(cp::load_negotiator(dir.path(), r, *neg), cp::AllianceMismatch);
}

TEST(Alliance, MalformedManifestsNameTheFileAndKey) {
  concord::test::TempDir dir;
  Modules w;
  cp::AllianceManifest m = founders_m1m2();
  cp::write_alliance(dir.path(), m, w.negotiator.get(), {nullptr, nullptr}, {nullptr, nullptr});
  const std::filesystem::path file = dir.path() / "alliance.toml";
  const std::string good = read(file);

  auto expect_error = [&](const std::string& text, const std::string& needle) {
    concord::test::write_file(file, text);
    try {
      cp::read_alliance(dir.path());
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const concord::ConfigError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("alliance.toml"), std::string::npos) << msg;
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  };
  // Replaces the whole line that starts with `key` (the value's formatting is toml++'s).
  auto replace = [&](std::string s, const std::string& key, const std::string& line) {
    const size_t at = s.find(key);
    EXPECT_NE(at, std::string::npos) << key;
    if (at == std::string::npos) return s;
    return s.replace(at, s.find('\n', at) - at, line);
  };
  expect_error(replace(good, "channels = 64", ""), "common.channels");
  expect_error(replace(good, "cell_size_m =", "cell_size_m = \"big\""), "common.cell_size_m");
  expect_error(replace(good, "id = ", "id = \"md5:00\""), "alliance.id");
  expect_error(replace(good, "cell_size_m =", "cell_size_m = 0.7"), "cell");
  expect_error("[alliance\n", "alliance.toml:1");
  std::filesystem::remove(file);
  expect_error("", "missing");
  EXPECT_THROW(cp::read_alliance(dir.path() / "nowhere"), concord::ConfigError);

  cp::AllianceManifest bad = founders_m1m2();
  bad.common.channels = 0;
  EXPECT_THROW(cp::write_alliance(dir.path(), bad, nullptr, {nullptr, nullptr}, {nullptr, nullptr}),
               concord::ConfigError);
}

// Two joins of one artifact serialise on its lock: a second holder waits until the
// first releases it (flock locks are per open file, so threads of one process conflict).
TEST(AllianceLock, SecondHolderWaitsForTheFirst) {
  concord::test::TempDir dir;
  std::atomic<bool> acquired{false};
  std::thread other;
  {
    const cp::AllianceLock first(dir.path());
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "alliance.lock"));
    other = std::thread([&] {
      const cp::AllianceLock second(dir.path());
      acquired = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_FALSE(acquired.load());  // still held by `first`
  }
  other.join();
  EXPECT_TRUE(acquired.load());
}

}  // namespace
