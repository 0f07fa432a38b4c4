// Rotated NMS, score filter and range filter (HEAL post-processing, sheet §2.5).
#include <stdexcept>

#include <gtest/gtest.h>

#include "concord/eval/iou.hpp"
#include "concord/eval/nms.hpp"
#include "concord/eval/tensor_convert.hpp"

namespace ce = concord::eval;
using Indices = std::vector<int64_t>;

namespace {
/// A 4 m x 2 m car-like box centred at (x, y).
ce::Box7 car(double x, double y = 0.0) {
  return {x, y, 0, 1.5, 2, 4, 0};
}
}  // namespace

TEST(EvalNms, SuppressesTheBoxOverlappingTheTopScoringOne) {
  // Input order scrambled: [far, top, overlapping].
  // top vs overlapping (shift 0.5 m): inter 3.5 x 2 = 7, union 16 - 7 = 9, IoU 7/9 > 0.15.
  const std::vector<ce::Box7> boxes{car(20), car(0), car(0.5)};
  const std::vector<double> scores{0.7, 0.9, 0.8};
  EXPECT_EQ(ce::nms_rotated(boxes, scores), (Indices{1, 0}));
  // With a threshold above 7/9 nothing is suppressed: all, by descending score.
  EXPECT_EQ(ce::nms_rotated(boxes, scores, 0.8), (Indices{1, 2, 0}));
}

TEST(EvalNms, IsGreedyASuppressedBoxSuppressesNothing) {
  // A(0.9) at x=0, B(0.8) at x=2.5, C(0.7) at x=5. A-B and B-C: inter 1.5 x 2 = 3,
  // union 13, IoU 3/13 = 0.23 > 0.15; A-C disjoint. B goes, so C survives.
  const std::vector<ce::Box7> boxes{car(0), car(2.5), car(5)};
  ASSERT_NEAR(ce::bev_iou(boxes[0], boxes[1]), 3.0 / 13.0, 1e-12);
  EXPECT_EQ(ce::nms_rotated(boxes, {0.9, 0.8, 0.7}), (Indices{0, 2}));
}

TEST(EvalNms, SuppressionNeedsIouStrictlyAboveThreshold) {
  // Box 1 (2 x 1) inside box 0 (2 x 2): IoU exactly 2 / 4 = 0.5.
  const std::vector<ce::Box7> boxes{{0, 0, 0, 1, 2, 2, 0}, {0, 0, 0, 1, 1, 2, 0}};
  ASSERT_EQ(ce::bev_iou(boxes[0], boxes[1]), 0.5);
  EXPECT_EQ(ce::nms_rotated(boxes, {0.9, 0.8}, 0.5), (Indices{0, 1}));
  EXPECT_EQ(ce::nms_rotated(boxes, {0.9, 0.8}, 0.49), (Indices{0}));
}

TEST(EvalNms, OnlyTheTopCandidatesAreConsidered) {
  const std::vector<ce::Box7> boxes{car(0), car(10), car(20)};
  EXPECT_EQ(ce::nms_rotated(boxes, {0.5, 0.9, 0.7}, 0.15, 2), (Indices{1, 2}));
  EXPECT_TRUE(ce::nms_rotated(std::vector<ce::Box7>{}, std::vector<double>{}).empty());
}

TEST(EvalNms, RejectsMismatchedInputs) {
  EXPECT_THROW(ce::nms_rotated({car(0)}, {0.5, 0.6}), std::invalid_argument);
  EXPECT_THROW(ce::nms_rotated({car(0)}, {NAN}), std::invalid_argument);
  EXPECT_THROW(ce::nms_rotated({car(0)}, {0.5}, 0.15, -1), std::invalid_argument);
}

TEST(EvalNms, TensorForm) {
  const at::Tensor keep = ce::nms_rotated(ce::boxes_to_tensor({car(20), car(0), car(0.5)}),
                                          ce::scores_to_tensor({0.7, 0.9, 0.8}));
  ASSERT_EQ(keep.scalar_type(), at::kLong);
  ASSERT_EQ(keep.numel(), 2);
  EXPECT_EQ(keep.data_ptr<int64_t>()[0], 1);
  EXPECT_EQ(keep.data_ptr<int64_t>()[1], 0);
  EXPECT_THROW(ce::nms_rotated(ce::boxes_to_tensor({car(0)}), ce::scores_to_tensor({0.5, 0.6})),
               std::invalid_argument);
}

TEST(EvalScoreFilter, KeepsScoresStrictlyAboveThreshold) {
  EXPECT_EQ(ce::score_filter({0.2, 0.21, 0.1, 0.9, NAN}), (Indices{1, 3}));
  EXPECT_EQ(ce::score_filter({0.5, 0.6}, 0.5), (Indices{1}));
  const at::Tensor keep = ce::score_filter(ce::scores_to_tensor({0.1, 0.3}));
  ASSERT_EQ(keep.numel(), 1);
  EXPECT_EQ(keep.data_ptr<int64_t>()[0], 1);
}

TEST(EvalRangeFilter, AllCornersInclusiveVersusCentre) {
  const ce::BoxRange range{-10, -5, 10, 5};
  const std::vector<ce::Box7> boxes{
      car(0),        // inside
      car(9),        // centre inside, front corners at x = 11: outside
      car(8),        // front corners exactly on x = 10: inside (inclusive)
      car(30),       // outside
      car(0, -4.5),  // corners at y = -5.5: outside
  };
  EXPECT_EQ(ce::range_filter(boxes, range), (Indices{0, 2}));
  EXPECT_EQ(ce::range_filter(boxes, range, ce::RangeMode::kCenter), (Indices{0, 1, 2, 4}));

  // z bounds (HEAL's gt_range z [-3, 1]): car(0) spans z [-0.75, 0.75].
  ce::BoxRange range_z = range;
  range_z.z_min = -3;
  range_z.z_max = 0.5;
  EXPECT_EQ(ce::range_filter(boxes, range_z), (Indices{}));
  EXPECT_EQ(ce::range_filter(boxes, range_z, ce::RangeMode::kCenter), (Indices{0, 1, 2, 4}));

  const at::Tensor keep = ce::range_filter(ce::boxes_to_tensor(boxes), range);
  ASSERT_EQ(keep.numel(), 2);
  EXPECT_EQ(keep.data_ptr<int64_t>()[1], 2);

  EXPECT_THROW(ce::range_filter(boxes, ce::BoxRange{10, -5, -10, 5}), std::invalid_argument);
}
