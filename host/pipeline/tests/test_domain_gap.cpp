// KL domain gap (official definition): hand-computed values, the centre crop,
// refusals, and merging tables of several alliances.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "concord/error.hpp"
#include "concord/pipeline/domain_gap.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;

TEST(DomainGap, HandComputedKlWithUnnormalisedReference) {
  // Feature 0 on both channels: log_softmax = ln 0.5; reference (0.2, 0.6).
  // KLDivLoss = Σ p (ln p − ln q) / C = (0.2 ln 0.4 + 0.6 ln 1.2) / 2 = −0.0369325.
  const at::Tensor f = at::zeros({1, 2, 1, 1});
  const at::Tensor p = at::tensor({0.2f, 0.6f}).view({1, 2, 1, 1});
  const double expected = (0.2 * std::log(0.4) + 0.6 * std::log(1.2)) / 2.0;
  EXPECT_NEAR(cp::kl_domain_gap(f, p, 1.0), expected, 1e-6);
  // A reference of zeros contributes nothing (0 · ln 0 = 0).
  EXPECT_DOUBLE_EQ(cp::kl_domain_gap(f, at::zeros({1, 2, 1, 1}), 1.0), 0.0);
}

TEST(DomainGap, OnlyTheCentreCropCounts) {
  // 10 x 10 at ratio 0.3: the 3 x 3 window at rows/columns 3..5.
  const at::Tensor p = at::full({2, 4, 10, 10}, 0.25f);
  at::Tensor f = at::zeros({2, 4, 10, 10});
  const double inside = cp::kl_domain_gap(f, p);
  f.narrow(2, 0, 3).normal_();  // rows 0..2: outside the window
  f.narrow(3, 6, 4).normal_();  // columns 6..9: outside
  EXPECT_DOUBLE_EQ(cp::kl_domain_gap(f, p), inside);
  f.narrow(1, 0, 1).narrow(2, 3, 1).narrow(3, 3, 1).fill_(5.0f);  // one channel of a cell inside
  EXPECT_NE(cp::kl_domain_gap(f, p), inside);
  EXPECT_NEAR(inside, 0.0, 1e-7);  // uniform q = p = 0.25: no gap
}

TEST(DomainGap, RefusesMismatchedShapesBadRatioAndNegativeReference) {
  const at::Tensor f = at::zeros({1, 2, 4, 4});
  EXPECT_THROW(cp::kl_domain_gap(f, at::zeros({1, 2, 4, 5})), c10::Error);
  EXPECT_THROW(cp::kl_domain_gap(f, at::zeros({1, 2, 4, 4}), 0.0), c10::Error);
  EXPECT_THROW(cp::kl_domain_gap(f, at::full({1, 2, 4, 4}, -1.0f)), c10::Error);
}

TEST(DomainGap, MergeKeepsOtherAlliancesAndReplacesItsOwn) {
  concord::test::TempDir dir;
  const auto csv = dir.path() / "kl_gap.csv";
  cp::merge_domain_gap_csv(csv,
                           {{"m1", "negotiated (local)", 0.5}, {"m2", "negotiated (local)", 1.5}});
  cp::merge_domain_gap_csv(csv, {{"m1", "protocol m0 (local)", 0.25}});
  cp::merge_domain_gap_csv(csv, {{"m1", "negotiated (local)", 0.75}});  // a rerun replaces
  std::ifstream in(csv);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text,
            "agent,representation,kl\nm1,protocol m0 (local),0.25\nm1,negotiated (local),0.75\n");
  concord::test::write_file(csv, "agent,kl\n");
  EXPECT_THROW(cp::merge_domain_gap_csv(csv, {}), concord::Error);
}

}  // namespace
