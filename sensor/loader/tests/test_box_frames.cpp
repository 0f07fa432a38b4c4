// Boxes between agent frames: a hand-computed 90-degree turn plus translation,
// the round trip, and the centre-range filter.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "concord/loader/box_frames.hpp"

namespace {

TEST(BoxFrames, NinetyDegreeTurnAndShiftMatchHandValues) {
  // T_dst←src: rotate +90 deg about z, then translate by (10, -2, 0.5).
  at::Tensor t = at::eye(4, at::kDouble);
  t[0][0] = 0.0;
  t[0][1] = -1.0;
  t[1][0] = 1.0;
  t[1][1] = 0.0;
  t[0][3] = 10.0;
  t[1][3] = -2.0;
  t[2][3] = 0.5;
  const at::Tensor boxes = at::tensor({3.0f, 1.0f, -1.0f, 1.5f, 1.8f, 4.2f, 0.3f}).view({1, 7});
  const at::Tensor out = concord::loader::boxes_to_frame(boxes, t);
  // (3, 1) → (−1, 3) + (10, −2) = (9, 1); z −1 + 0.5; yaw 0.3 + pi/2; sizes unchanged.
  const at::Tensor want =
      at::tensor({9.0f, 1.0f, -0.5f, 1.5f, 1.8f, 4.2f, static_cast<float>(0.3 + M_PI / 2)});
  EXPECT_TRUE(at::allclose(out[0], want, 1e-5, 1e-5)) << out;
  // Round trip through the inverse.
  const at::Tensor back = concord::loader::boxes_to_frame(out, at::inverse(t));
  EXPECT_TRUE(at::allclose(back, boxes, 1e-5, 1e-5)) << back;
  EXPECT_EQ(concord::loader::boxes_to_frame(at::zeros({0, 7}), t).size(0), 0);
  EXPECT_THROW(concord::loader::boxes_to_frame(at::zeros({2, 5}), t), c10::Error);
}

TEST(BoxFrames, CentreFilterKeepsHalfOpenRange) {
  at::Tensor boxes = at::ones({4, 7});
  const float xy[4][2] = {{0.0f, 0.0f},      // inside
                          {38.4f, 0.0f},     // on the open edge: dropped
                          {-38.4f, 5.0f},    // on the closed edge: kept
                          {10.0f, -50.0f}};  // outside
  for (int i = 0; i < 4; ++i) {
    boxes[i][0] = xy[i][0];
    boxes[i][1] = xy[i][1];
  }
  const at::Tensor kept = concord::loader::boxes_with_centre_in(boxes, -38.4, 38.4, -38.4, 38.4);
  ASSERT_EQ(kept.size(0), 2);
  EXPECT_FLOAT_EQ(kept[1][0].item<float>(), -38.4f);
}

}  // namespace
