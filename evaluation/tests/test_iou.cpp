// Rotated BEV IoU with hand-computed areas.
#include <cmath>

#include <gtest/gtest.h>

#include "concord/eval/iou.hpp"
#include "concord/eval/tensor_convert.hpp"

namespace ce = concord::eval;

namespace {
constexpr double kPi = 3.14159265358979323846;
}

TEST(EvalIou, IdenticalBoxesGiveOne) {
  const ce::Box7 box{3, -2, 0, 1.5, 1.8, 4.2, 0.7};
  EXPECT_NEAR(ce::bev_iou(box, box), 1.0, 1e-12);
}

TEST(EvalIou, AxisAlignedOverlapByHand) {
  // A: x in [-2, 2], y in [-1, 1] (area 8). B: x in [-1, 3], y in [-0.5, 1.5] (area 8).
  // Intersection 3 x 1.5 = 4.5; union 8 + 8 - 4.5 = 11.5; IoU = 4.5 / 11.5 = 9 / 23.
  const ce::Box7 a{0, 0, 0, 1, 2, 4, 0};
  const ce::Box7 b{1, 0.5, 5, 3, 2, 4, 0};  // z and h do not matter (BEV)
  EXPECT_NEAR(ce::bev_iou(a, b), 9.0 / 23.0, 1e-12);
  EXPECT_NEAR(ce::bev_iou(b, a), 9.0 / 23.0, 1e-12);
}

TEST(EvalIou, RotatedSquareAgainstAxisAlignedByHand) {
  // Square [-1, 1]^2 (area 4) and the same square rotated 45 deg (|x| + |y| <= sqrt 2).
  // The diamond cuts 4 corner triangles with legs 2 - sqrt 2 off the square:
  // intersection = 4 - 4 * (2 - sqrt 2)^2 / 2 = 8 sqrt 2 - 8; union = 8 - that = 16 - 8 sqrt 2;
  // IoU = (sqrt 2 - 1) / (2 - sqrt 2) = 1 / sqrt 2.
  const ce::Box7 square{0, 0, 0, 1, 2, 2, 0};
  const ce::Box7 diamond{0, 0, 0, 1, 2, 2, kPi / 4};
  // Boost 1.74's robust overlay snaps to an integer grid: ~1e-7 accuracy (see iou.hpp).
  EXPECT_NEAR(ce::bev_iou(square, diamond), 1.0 / std::sqrt(2.0), 1e-6);
}

TEST(EvalIou, RotationBy90DegreesSwapsLengthAndWidth) {
  const ce::Box7 along_y{0, 0, 0, 1, 1, 4, kPi / 2};
  const ce::Box7 wide{0, 0, 0, 1, 4, 1, 0};
  EXPECT_NEAR(ce::bev_iou(along_y, wide), 1.0, 1e-9);
  // Versus the unrotated 4 x 1 box: a 1 x 1 cross-over; union 4 + 4 - 1 = 7.
  const ce::Box7 along_x{0, 0, 0, 1, 1, 4, 0};
  EXPECT_NEAR(ce::bev_iou(along_y, along_x), 1.0 / 7.0, 1e-9);
}

TEST(EvalIou, DisjointAndTouchingGiveZero) {
  const ce::Box7 a{0, 0, 0, 1, 2, 4, 0};
  EXPECT_EQ(ce::bev_iou(a, {10, 10, 0, 1, 2, 4, 0.3}), 0.0);
  EXPECT_EQ(ce::bev_iou(a, {4, 0, 0, 1, 2, 4, 0}), 0.0);  // shares the edge x = 2
  // Rotated, bounding rectangles overlap but the boxes do not: diamond |x|+|y| <= sqrt 2
  // centred at (2.3, 2.3) versus the square [-1, 1]^2 (corner (1, 1) is 2.6 away in L1).
  EXPECT_EQ(ce::bev_iou({0, 0, 0, 1, 2, 2, 0}, {2.3, 2.3, 0, 1, 2, 2, kPi / 4}), 0.0);
}

TEST(EvalIou, BoxesTouchingAlongARotatedEdgeGiveZero) {
  // Regression: b is a shifted by exactly its length along the heading, so the two
  // share an edge. Without Boost's robustness policy this pair came out as IoU 1.
  const ce::Box7 a{-1.2338431686088802, -0.83511146954175597, 0, 1.5, 1.5394322453320402,
                   3.3219069939129708,  -2.1856867019580175};
  ce::Box7 b = a;
  b[ce::kX] += std::cos(a[ce::kYaw]) * a[ce::kL];
  b[ce::kY] += std::sin(a[ce::kYaw]) * a[ce::kL];
  EXPECT_NEAR(ce::bev_iou(a, b), 0.0, 1e-6);
  // Half a length apart: intersection l/2 * w, union 3/2 l * w, IoU 1/3.
  ce::Box7 c = a;
  c[ce::kX] += 0.5 * std::cos(a[ce::kYaw]) * a[ce::kL];
  c[ce::kY] += 0.5 * std::sin(a[ce::kYaw]) * a[ce::kL];
  EXPECT_NEAR(ce::bev_iou(a, c), 1.0 / 3.0, 1e-6);
}

TEST(EvalIou, DegenerateBoxesGiveZeroWithoutThrowing) {
  const ce::Box7 a{0, 0, 0, 1, 2, 4, 0};
  EXPECT_EQ(ce::bev_iou(a, {0, 0, 0, 1, 0, 4, 0}), 0.0);
  EXPECT_EQ(ce::bev_iou({0, 0, 0, 1, 0, 0, 0}, {0, 0, 0, 1, 0, 0, 0}), 0.0);
  EXPECT_EQ(ce::bev_iou(a, {NAN, 0, 0, 1, 2, 4, 0}), 0.0);
  EXPECT_EQ(ce::bev_iou(a, {0, 0, 0, 1, INFINITY, 4, 0}), 0.0);
}

TEST(EvalIou, NegativeSizesDescribeTheSameFootprint) {
  EXPECT_NEAR(ce::bev_iou({0, 0, 0, 1, 2, 4, 0}, {0, 0, 0, 1, -2, 4, 0}), 1.0, 1e-12);
}

TEST(EvalIou, MatrixMatchesPairwise) {
  const std::vector<ce::Box7> a{{0, 0, 0, 1, 2, 4, 0}, {0, 0, 0, 1, 2, 2, 0}};
  const std::vector<ce::Box7> b{
      {1, 0.5, 0, 1, 2, 4, 0}, {0, 0, 0, 1, 2, 2, kPi / 4}, {50, 0, 0, 1, 2, 4, 0}};
  const ce::IouMatrix m = ce::bev_iou_matrix(a, b);
  ASSERT_EQ(m.rows, 2u);
  ASSERT_EQ(m.cols, 3u);
  for (std::size_t i = 0; i < 2; ++i) {
    for (std::size_t j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(m(i, j), ce::bev_iou(a[i], b[j]));
  }
  EXPECT_NEAR(m(0, 0), 9.0 / 23.0, 1e-12);
  EXPECT_NEAR(m(1, 1), 1.0 / std::sqrt(2.0), 1e-6);
  EXPECT_EQ(m(0, 2), 0.0);

  const at::Tensor t = ce::bev_iou_matrix(ce::boxes_to_tensor(a), ce::boxes_to_tensor(b));
  ASSERT_EQ(t.dim(), 2);
  ASSERT_EQ(t.size(0), 2);
  ASSERT_EQ(t.size(1), 3);
  ASSERT_EQ(t.scalar_type(), at::kFloat);
  const float* p = t.data_ptr<float>();
  for (std::size_t k = 0; k < 6; ++k) EXPECT_NEAR(p[k], m.values[k], 1e-6);

  EXPECT_EQ(ce::bev_iou_matrix(std::vector<ce::Box7>{}, b).values.size(), 0u);
  EXPECT_EQ(ce::bev_iou_matrix(ce::boxes_to_tensor({}), ce::boxes_to_tensor(b)).size(0), 0);
}
