// Camera augmentation: the pixel map against hand values, the resized/cropped/flipped
// image against that map (a coordinate ramp must land where A says), padding, the
// intrinsics following the image, determinism in the seed and the refusal paths.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "concord/loader/camera_augment.hpp"

namespace {

using concord::loader::apply_image_affine;
using concord::loader::augment_cameras;
using concord::loader::CameraAugmentOptions;
using concord::loader::CollabSample;
using concord::loader::image_affine_matrix;
using concord::loader::ImageAffine;

constexpr int64_t kH = 30, kW = 40;

/// [3, H, W]: channel 0 = column u, channel 1 = row v (pixel centres), channel 2 = 1.
at::Tensor coordinate_ramp() {
  at::Tensor u = at::arange(kW, at::kFloat).view({1, kW}).expand({kH, kW});
  at::Tensor v = at::arange(kH, at::kFloat).view({kH, 1}).expand({kH, kW});
  return at::stack({u, v, at::ones({kH, kW})});
}

TEST(CameraAugment, PixelMapMatchesHandValues) {
  ImageAffine a;
  a.scaled_h = 60;  // s = 2
  a.scaled_w = 80;
  a.offset_x = 10;
  a.offset_y = 20;
  // u' = 2 (u + 0.5) - 0.5 - 10 = 2u - 9.5; v' = 2v - 19.5.
  at::Tensor m = image_affine_matrix(a, kH, kW);
  at::Tensor want = at::tensor({2.0, 0.0, -9.5, 0.0, 2.0, -19.5, 0.0, 0.0, 1.0}).view({3, 3});
  EXPECT_TRUE(at::allclose(m, want)) << m;
  // Mirrored: u'' = 39 - u' = -2u + 48.5.
  a.flip = true;
  m = image_affine_matrix(a, kH, kW);
  want[0][0] = -2.0;
  want[0][2] = 48.5;
  EXPECT_TRUE(at::allclose(m, want)) << m;
  a.scaled_w = 0;
  EXPECT_THROW(image_affine_matrix(a, kH, kW), std::invalid_argument);
}

// Every interior output pixel must hold the input coordinates A⁻¹ maps it back to.
void expect_image_follows_map(const ImageAffine& a) {
  at::Tensor image = coordinate_ramp();
  at::Tensor depth = at::full({kH, kW}, 7.0f);
  at::Tensor k =
      at::tensor({100.0f, 0.0f, 20.0f, 0.0f, 100.0f, 15.0f, 0.0f, 0.0f, 1.0f}).view({3, 3});
  const at::Tensor k0 = k.clone();
  apply_image_affine(a, image, depth, k);
  ASSERT_EQ(image.sizes(), (at::IntArrayRef{3, kH, kW}));
  ASSERT_EQ(depth.sizes(), (at::IntArrayRef{kH, kW}));
  const at::Tensor m = image_affine_matrix(a, kH, kW);
  // K' = A K: a point at camera coordinates P projects through K' to A (K P).
  EXPECT_TRUE(at::allclose(k.to(at::kDouble), at::matmul(m, k0.to(at::kDouble)), 1e-5, 1e-5));
  const at::Tensor inv = at::inverse(m);
  int checked = 0;
  for (int64_t y = 0; y < kH; ++y) {
    for (int64_t x = 0; x < kW; ++x) {
      const double sx = inv[0][0].item<double>() * x + inv[0][2].item<double>();
      const double sy = inv[1][1].item<double>() * y + inv[1][2].item<double>();
      // Away from the borders, where bilinear sampling clamps or the window pads.
      if (sx < 1.0 || sx > kW - 2.0 || sy < 1.0 || sy > kH - 2.0) continue;
      EXPECT_NEAR(image[0][y][x].item<double>(), sx, 1e-3) << "x " << x << " y " << y;
      EXPECT_NEAR(image[1][y][x].item<double>(), sy, 1e-3) << "x " << x << " y " << y;
      EXPECT_FLOAT_EQ(depth[y][x].item<float>(), 7.0f);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(CameraAugment, ZoomCropFollowsThePixelMap) {
  ImageAffine a;
  a.scaled_h = 36;
  a.scaled_w = 48;
  a.offset_x = 5;
  a.offset_y = 3;
  expect_image_follows_map(a);
}

TEST(CameraAugment, FlipFollowsThePixelMap) {
  ImageAffine a;
  a.scaled_h = 33;
  a.scaled_w = 44;
  a.offset_x = 2;
  a.offset_y = 1;
  a.flip = true;
  expect_image_follows_map(a);
}

TEST(CameraAugment, ShrinkPadsWithZerosAndNoDepth) {
  ImageAffine a;
  a.scaled_h = 24;
  a.scaled_w = 32;
  a.offset_x = -4;  // the image starts 4 columns into the window
  a.offset_y = -3;
  expect_image_follows_map(a);
  at::Tensor image = coordinate_ramp() + 1.0;
  at::Tensor depth = at::full({kH, kW}, 7.0f);
  at::Tensor k = at::eye(3, at::kFloat);
  apply_image_affine(a, image, depth, k);
  // Columns 0-3 and 36-39, rows 0-2 and 27-29 are padding: zero image, zero (invalid) depth.
  EXPECT_EQ(image.narrow(2, 0, 4).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(image.narrow(2, 36, 4).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(depth.narrow(0, 0, 3).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(depth.narrow(0, 27, 3).abs().sum().item<double>(), 0.0);
  EXPECT_GT(depth.narrow(1, 4, 32).narrow(0, 3, 24).min().item<double>(), 6.9);
}

TEST(CameraAugment, ShapeMismatchesAreRefused) {
  ImageAffine a;
  a.scaled_h = kH;
  a.scaled_w = kW;
  at::Tensor image = coordinate_ramp();
  at::Tensor depth = at::zeros({kH + 1, kW});
  at::Tensor k = at::eye(3);
  EXPECT_THROW(apply_image_affine(a, image, depth, k), std::invalid_argument);
  depth = at::Tensor();
  at::Tensor bad_k = at::eye(4);
  EXPECT_THROW(apply_image_affine(a, image, depth, bad_k), std::invalid_argument);
}

CollabSample two_agent_sample() {
  CollabSample s;
  s.agents.resize(2);
  auto& cam = s.agents[0].input;
  cam.images = at::rand({1, 4, 3, kH, kW});
  cam.depth = at::rand({1, 4, kH, kW}) * 50.0;
  cam.intrinsics = at::tensor({100.0f, 0.0f, 20.0f, 0.0f, 100.0f, 15.0f, 0.0f, 0.0f, 1.0f})
                       .view({1, 1, 3, 3})
                       .repeat({1, 4, 1, 1});
  cam.camera_to_lidar = at::eye(4).repeat({1, 4, 1, 1});
  s.agents[1].input.points.push_back(at::rand({50, 4}));  // a LiDAR agent
  return s;
}

TEST(CameraAugment, SampleAugmentationIsSeededAndLeavesLidarAlone) {
  CameraAugmentOptions o;
  o.scale_min = 0.9;
  o.scale_max = 1.2;
  o.flip = true;
  const CollabSample base = two_agent_sample();
  const at::Tensor base_images = base.agents[0].input.images.clone();
  // Copies share tensors with base: augmentation must replace them, never write into them.
  CollabSample a = base, b = base, c = base;
  augment_cameras(a, o, 42);
  augment_cameras(b, o, 42);
  augment_cameras(c, o, 43);
  const auto& ia = a.agents[0].input;
  EXPECT_EQ(ia.images.sizes(), base.agents[0].input.images.sizes());
  EXPECT_EQ(ia.depth.sizes(), base.agents[0].input.depth.sizes());
  EXPECT_EQ(ia.intrinsics.sizes(), base.agents[0].input.intrinsics.sizes());
  EXPECT_TRUE(at::equal(ia.images, b.agents[0].input.images));
  EXPECT_TRUE(at::equal(ia.intrinsics, b.agents[0].input.intrinsics));
  EXPECT_FALSE(at::equal(ia.intrinsics, c.agents[0].input.intrinsics));
  EXPECT_FALSE(at::equal(ia.intrinsics, base.agents[0].input.intrinsics));
  EXPECT_TRUE(at::equal(a.agents[1].input.points[0], base.agents[1].input.points[0]));
  // The untouched inputs stay as they were (the sample's tensors are replaced, not written).
  EXPECT_TRUE(
      at::equal(base.agents[0].input.intrinsics, two_agent_sample().agents[0].input.intrinsics));
  EXPECT_TRUE(at::equal(base.agents[0].input.images, base_images));
}

TEST(CameraAugment, BadScaleRangeIsRefused) {
  CollabSample s = two_agent_sample();
  CameraAugmentOptions o;
  o.scale_min = 1.2;
  o.scale_max = 1.1;
  EXPECT_THROW(augment_cameras(s, o, 1), std::invalid_argument);
  o.scale_min = 0.0;
  EXPECT_THROW(augment_cameras(s, o, 1), std::invalid_argument);
}

}  // namespace
