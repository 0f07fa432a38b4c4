// The in-process cache of frozen local representations: LocalCache's budget, and
// HeteroCollab giving the same detections with and without it while encoding each
// (member, frame, agent) once, whatever the mode, ego or pose noise; and with
// members' on-disk stores (local_store.hpp), across HeteroCollab objects.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "concord/pipeline/hetero.hpp"
#include "concord/pipeline/local_cache.hpp"
#include "concord/pipeline/local_store.hpp"
#include "constant_detector.hpp"

namespace {

namespace cp = concord::pipeline;
using concord::loader::AgentData;
using concord::loader::CollabSample;

TEST(LocalCache, ComputesEachKeyOnceWithinTheBudget) {
  cp::LocalCache cache(1 << 20);
  int calls = 0;
  auto compute = [&] {
    ++calls;
    return at::full({4, 4}, static_cast<float>(calls));
  };
  const at::Tensor a = cache.get_or_compute("a", compute);
  const at::Tensor again = cache.get_or_compute("a", compute);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(again.equal(a));
  cache.get_or_compute("b", compute);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.bytes(), 2u * 16u * sizeof(float));
}

TEST(LocalCache, OverTheBudgetComputesWithoutKeeping) {
  cp::LocalCache cache(100);  // one 64-byte tensor fits, a second does not
  int calls = 0;
  auto compute = [&] {
    ++calls;
    return at::zeros({16});
  };
  cache.get_or_compute("a", compute);
  cache.get_or_compute("b", compute);
  cache.get_or_compute("b", compute);
  cache.get_or_compute("a", compute);
  EXPECT_EQ(calls, 3);  // b twice, a once
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 64u);
}

TEST(LocalCache, KeepsACopyWithTheSameLayoutAndDtype) {
  cp::LocalCache cache(1 << 24);
  const at::Tensor computed =
      at::randn({2, 3, 4, 5}).to(at::kBFloat16).contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor kept = cache.get_or_compute("a", [&] { return computed; });
  EXPECT_TRUE(kept.equal(computed));
  EXPECT_EQ(kept.scalar_type(), at::kBFloat16);
  EXPECT_EQ(kept.strides(), computed.strides());    // still channels_last
  EXPECT_NE(kept.data_ptr(), computed.data_ptr());  // a copy in the cache's slab
  // A second entry of the same dtype lands right after the first in the same slab.
  const at::Tensor next = cache.get_or_compute("b", [&] { return computed; });
  EXPECT_EQ(static_cast<const char*>(next.data_ptr()) - static_cast<const char*>(kept.data_ptr()),
            static_cast<std::ptrdiff_t>(computed.nbytes()));
  EXPECT_TRUE(cache.get_or_compute("a", [] { return at::Tensor(); }).equal(computed));
}

TEST(LocalCache, ACallThatThrowsKeepsNothing) {
  cp::LocalCache cache(1 << 20);
  EXPECT_THROW(cache.get_or_compute("a", []() -> at::Tensor { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_EQ(cache.size(), 0u);
  int calls = 0;
  cache.get_or_compute("a", [&] {
    ++calls;
    return at::ones({1});
  });
  EXPECT_EQ(calls, 1);
}

using concord::test::CountingEncoder;

/// Three agents 4 m apart along x, types {0, 1, 0}; each member view carries
/// different points per agent. `yaw_noise` turns agent 2's noisy pose.
cp::HeteroSample hetero_sample(double yaw_noise) {
  cp::HeteroSample s;
  s.types = {0, 1, 0};
  for (int m = 0; m < 2; ++m) {
    CollabSample c;
    c.scenario = "scene";
    c.timestamp = "000068";
    c.gt_boxes = at::tensor({5.0f, 0.0f, -1.0f, 1.5f, 1.8f, 4.0f, 0.0f}).view({1, 7});
    for (int k = 0; k < 3; ++k) {
      AgentData a;
      a.id = std::to_string(100 + k);
      a.input.points.push_back(at::full({2, 4}, 0.1f * static_cast<float>(1 + k + 3 * m)));
      a.ego_from_agent = at::eye(4, at::kDouble);
      a.ego_from_agent[0][3] = 4.0 * k;
      a.ego_from_agent_noisy = a.ego_from_agent.clone();
      if (k == 2) {
        a.ego_from_agent_noisy[0][0] = a.ego_from_agent_noisy[1][1] = std::cos(yaw_noise);
        a.ego_from_agent_noisy[0][1] = -std::sin(yaw_noise);
        a.ego_from_agent_noisy[1][0] = std::sin(yaw_noise);
      }
      c.agents.push_back(a);
    }
    s.samples.push_back(c);
  }
  return s;
}

/// Members m1 (LiDAR) and m2 (cameras) on the constant test detector, each with its
/// own counting encoder (e0, e1).
struct CountedMembers {
  std::shared_ptr<CountingEncoder> e0 = std::make_shared<CountingEncoder>();
  std::shared_ptr<CountingEncoder> e1 = std::make_shared<CountingEncoder>();
  std::vector<cp::HeteroMember> members = [this] {
    std::vector<cp::HeteroMember> m(2);
    m[0].name = "m1";
    m[0].sensors.lidar_beams = 64;
    m[0].detector = concord::test::constant_detector(e0);
    m[1].name = "m2";
    m[1].sensors.cameras = true;
    m[1].detector = concord::test::constant_detector(e1);
    return m;
  }();
};

TEST(HeteroCollabLocalCache, SameDetectionsEachAgentEncodedOnce) {
  at::manual_seed(5);
  const CountedMembers counted;
  const auto& e0 = counted.e0;
  const auto& e1 = counted.e1;
  const auto& members = counted.members;
  cp::HeteroCollab plain(members);
  cp::HeteroCollab cached(members);
  cached.cache_locals(std::size_t{1} << 24);
  ASSERT_NE(cached.local_cache(), nullptr);
  int cached_calls = 0;
  for (const double noise : {0.0, 0.3}) {
    const cp::HeteroSample s = hetero_sample(noise);
    for (auto mode :
         {cp::HeteroMode::kNoFusion, cp::HeteroMode::kLateFusion, cp::HeteroMode::kNaive}) {
      const int before = e0->calls + e1->calls;
      const concord::Detections want = plain.detect(s, mode, 0.0);
      const int mid = e0->calls + e1->calls;
      const concord::Detections got = cached.detect(s, mode, 0.0);
      cached_calls += e0->calls + e1->calls - mid;
      EXPECT_GT(mid, before);
      ASSERT_EQ(got.boxes.sizes(), want.boxes.sizes()) << cp::to_string(mode) << " " << noise;
      EXPECT_TRUE(got.boxes.equal(want.boxes)) << cp::to_string(mode) << " " << noise;
      EXPECT_TRUE(got.scores.equal(want.scores)) << cp::to_string(mode) << " " << noise;
    }
  }
  // Three agents, each under its own type: three encodings for six passes.
  EXPECT_EQ(cached_calls, 3);
  EXPECT_EQ(cached.local_cache()->misses(), 3u);
  // The noisy pose moved agent 2's boxes: the cache did not freeze the warp.
  const auto late0 = plain.detect(hetero_sample(0.0), cp::HeteroMode::kLateFusion, 0.0);
  const auto late1 = cached.detect(hetero_sample(0.3), cp::HeteroMode::kLateFusion, 0.0);
  ASSERT_EQ(late0.boxes.sizes(), late1.boxes.sizes());
  EXPECT_FALSE(late0.boxes.equal(late1.boxes));
}

TEST(HeteroCollabLocalCache, KeysOnTheMemberSoAnotherTypeEncodesAgain) {
  at::manual_seed(6);
  const CountedMembers counted;
  const auto& e0 = counted.e0;
  const auto& e1 = counted.e1;
  const auto& members = counted.members;
  cp::HeteroCollab cached(members);
  cached.cache_locals(std::size_t{1} << 24);
  cp::HeteroSample s = hetero_sample(0.0);
  cached.detect(s, cp::HeteroMode::kNaive, 0.0);
  EXPECT_EQ(e0->calls, 2);
  EXPECT_EQ(e1->calls, 1);
  s.types = {1, 1, 0};  // the ego now of type m2: its m2 feature is new, the rest reused
  cached.detect(s, cp::HeteroMode::kNaive, 0.0);
  EXPECT_EQ(e0->calls, 2);
  EXPECT_EQ(e1->calls, 2);
}

// A second HeteroCollab (as a second process would) over the same stores encodes
// nothing and detects the same boxes; the stores keep one file per (type, agent).
TEST(HeteroCollabLocalStore, ASecondCollabReadsTheStoresInsteadOfEncoding) {
  at::manual_seed(8);
  concord::test::TempDir dir;
  CountedMembers counted;
  auto& members = counted.members;
  members[0].store = std::make_shared<cp::LocalStore>(dir.path() / "m1");
  members[1].store = std::make_shared<cp::LocalStore>(dir.path() / "m2");
  const cp::HeteroSample s = hetero_sample(0.2);
  cp::HeteroCollab first(members);
  const concord::Detections want = first.detect(s, cp::HeteroMode::kNaive, 0.0);
  EXPECT_EQ(counted.e0->calls + counted.e1->calls, 3);
  EXPECT_EQ(members[0].store->misses(), 2u);
  EXPECT_EQ(members[1].store->misses(), 1u);
  EXPECT_TRUE(members[0].store->contains("fp32", "scene", "000068", "102"));
  EXPECT_FALSE(members[1].store->contains("fp32", "scene", "000068", "102"));

  for (auto& m : members) m.store = std::make_shared<cp::LocalStore>(m.store->dir());
  cp::HeteroCollab second(members);
  second.cache_locals(std::size_t{1} << 24);
  const concord::Detections got = second.detect(s, cp::HeteroMode::kNaive, 0.0);
  EXPECT_EQ(counted.e0->calls + counted.e1->calls, 3);  // nothing encoded again
  EXPECT_EQ(members[0].store->hits() + members[1].store->hits(), 3u);
  ASSERT_EQ(got.boxes.sizes(), want.boxes.sizes());
  EXPECT_TRUE(got.boxes.equal(want.boxes));
  EXPECT_TRUE(got.scores.equal(want.scores));
}

}  // namespace
