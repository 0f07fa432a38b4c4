// Box corners (OpenCOOD boxes_to_corners_3d order, hwl boxes) and tensor conversion.
#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "concord/eval/box_geometry.hpp"
#include "concord/eval/tensor_convert.hpp"

namespace ce = concord::eval;

namespace {
constexpr double kPi = 3.14159265358979323846;
}

TEST(EvalBoxGeometry, AxisAlignedCornersFollowOpenCoodOrder) {
  // l = 4 along +x, w = 2 along +y, h = 1.
  const ce::Box7 box{10, 20, 0.5, 1, 2, 4, 0};
  const auto c = ce::corners_3d(box);
  const double expected[8][3] = {{12, 19, 0}, {12, 21, 0}, {8, 21, 0}, {8, 19, 0},
                                 {12, 19, 1}, {12, 21, 1}, {8, 21, 1}, {8, 19, 1}};
  for (int i = 0; i < 8; ++i) {
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(c[i][k], expected[i][k], 1e-12) << i << "," << k;
  }
}

TEST(EvalBoxGeometry, YawRotatesFromXTowardY) {
  // yaw = +90 deg: the heading (length 4) points along +y.
  // Corner 0, local (+2, -1) -> rotated (1, 2) -> + centre (1, 2) = (2, 4).
  const ce::Box7 box{1, 2, 0.5, 1, 2, 4, kPi / 2};
  const auto c = ce::bev_corners(box);
  const double expected[4][2] = {{2, 4}, {0, 4}, {0, 0}, {2, 0}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(c[i][0], expected[i][0], 1e-12) << i;
    EXPECT_NEAR(c[i][1], expected[i][1], 1e-12) << i;
  }
}

TEST(EvalBoxGeometry, DegenerateBoxesHaveNoArea) {
  EXPECT_TRUE(ce::has_bev_area({0, 0, 0, 1, 2, 4, 0}));
  EXPECT_FALSE(ce::has_bev_area({0, 0, 0, 1, 0, 4, 0}));
  EXPECT_FALSE(ce::has_bev_area({0, 0, 0, 1, 2, 0, 0}));
  EXPECT_FALSE(ce::has_bev_area({NAN, 0, 0, 1, 2, 4, 0}));
}

TEST(EvalBoxGeometry, TensorCornersMatchPlainCorners) {
  const std::vector<ce::Box7> boxes{{1, 2, 0.5, 1, 2, 4, kPi / 2}, {0, 0, 0, 1.5, 1.6, 3.9, 0.3}};
  const at::Tensor t = ce::corners_3d(ce::boxes_to_tensor(boxes));
  ASSERT_EQ(t.dim(), 3);
  ASSERT_EQ(t.size(0), 2);
  ASSERT_EQ(t.size(1), 8);
  ASSERT_EQ(t.size(2), 3);
  ASSERT_EQ(t.scalar_type(), at::kFloat);
  const float* p = t.data_ptr<float>();
  for (std::size_t b = 0; b < boxes.size(); ++b) {
    const auto c = ce::corners_3d(boxes[b]);
    for (std::size_t i = 0; i < 8; ++i) {
      for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(*p++, c[i][k], 1e-5);
    }
  }
  const at::Tensor bev = ce::bev_corners(ce::boxes_to_tensor(boxes));
  EXPECT_EQ(bev.size(1), 4);
  EXPECT_EQ(bev.size(2), 2);
}

TEST(EvalTensorConvert, RoundTripAndShapeErrors) {
  const std::vector<ce::Box7> boxes{{1, 2, 3, 4, 5, 6, 0.5}};
  const std::vector<ce::Box7> back = ce::boxes_from_tensor(ce::boxes_to_tensor(boxes));
  ASSERT_EQ(back.size(), 1u);
  for (std::size_t i = 0; i < 7; ++i) EXPECT_NEAR(back[0][i], boxes[0][i], 1e-6);

  EXPECT_TRUE(ce::boxes_from_tensor(ce::boxes_to_tensor({})).empty());
  EXPECT_THROW(ce::boxes_from_tensor(at::Tensor()), std::invalid_argument);
  // [7] instead of [K, 7].
  EXPECT_THROW(ce::boxes_from_tensor(ce::scores_to_tensor({1, 2, 3, 4, 5, 6, 7})),
               std::invalid_argument);
  // Integer dtype.
  EXPECT_THROW(ce::scores_from_tensor(ce::indices_to_tensor({1, 2})), std::invalid_argument);
  try {
    ce::boxes_from_tensor(ce::corners_3d(ce::boxes_to_tensor(boxes)), "det_boxes");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("det_boxes"), std::string::npos) << e.what();
  }
}
