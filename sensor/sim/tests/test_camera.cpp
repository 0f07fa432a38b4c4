// Cameras: OPV2V intrinsics; a box's 8 corners projected with K and the pose
// land on that box's pixels in the RGB, id and depth images; the written
// depth PNG reads back in metres; noise is seeded.
#include "concord/sim/camera.hpp"
#include "concord/sim/mesh.hpp"
#include "concord/sim/scene_mesh.hpp"

#include "concord/formats/depth_png.hpp"
#include "concord/formats/pose.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace cs = concord::sim;

TEST(CameraIntrinsics, MatchesOpv2v) {
  const cs::CameraIntrinsics k = cs::make_intrinsics(800, 600, 100.0);
  EXPECT_NEAR(k.fx, 335.64, 0.01);  // sheet §1.1
  EXPECT_DOUBLE_EQ(k.fx, k.fy);
  EXPECT_DOUBLE_EQ(k.cx, 400.0);
  EXPECT_DOUBLE_EQ(k.cy, 300.0);
  const cs::CameraIntrinsics s = cs::make_intrinsics(200, 150, 100.0);
  EXPECT_NEAR(s.fx, 335.64 / 4.0, 0.01);
  EXPECT_DOUBLE_EQ(s.cx, 100.0);
  const auto mounts = cs::cav_camera_mounts();
  EXPECT_DOUBLE_EQ(mounts[0].yaw, 0.0);
  EXPECT_DOUBLE_EQ(mounts[1].yaw, 100.0);   // right-rear
  EXPECT_DOUBLE_EQ(mounts[2].yaw, -100.0);  // left-rear
  EXPECT_DOUBLE_EQ(mounts[3].yaw, 180.0);   // back
}

TEST(Camera, BoxCornersLandOnBoxPixelsWithMatchingDepth) {
  cs::TriangleMesh ground;
  cs::add_quad(ground, 0, 0, 0, 300, 300, 0, cs::Material::kAsphalt, {70, 70, 70});
  cs::TriangleMesh box;
  box.kind = cs::GeometryKind::kVehicle;
  box.object_id = 9;
  const Eigen::Vector3d centre(12.0, 1.5, 1.0), half(2.0, 1.0, 1.0);
  const double yaw = 30.0;
  cs::add_box(box, centre, half, yaw, cs::Material::kVehicleBody, {230, 20, 20});
  cs::FrameMeshes meshes;
  meshes.static_mesh = &ground;
  meshes.dynamic.push_back(box);
  cs::RayCaster caster(2);
  caster.set_scene(meshes.pointers());

  cs::CameraConfig cfg;
  cfg.width_px = 400;
  cfg.height_px = 300;
  cfg.noise_stddev = 0.0;
  const cs::CameraIntrinsics k = cs::make_intrinsics(cfg.width_px, cfg.height_px, 100.0);
  const cs::Pose cam{0.0, 0.0, 2.5, 0.0, 5.0, -3.0};
  const cs::Lighting light;
  const cs::CameraImage img = cs::render_camera(caster, meshes, cam, k, light, cfg, 1);
  const std::uint32_t box_geom = 1;

  const Eigen::Matrix4d t_cw = concord::formats::rigid_inverse(cs::pose_to_matrix(cam));
  const double c = std::cos(cs::deg2rad(yaw)), s = std::sin(cs::deg2rad(yaw));
  const Eigen::Vector4d cc = t_cw * Eigen::Vector4d(centre.x(), centre.y(), centre.z(), 1.0);
  const double uc = k.cx + k.fx * cc.y() / cc.x(), vc = k.cy - k.fy * cc.z() / cc.x();
  int visible = 0;
  for (int corner = 0; corner < 8; ++corner) {
    // Corner pulled 3 % towards the centre (inside the solid).
    const double lx = (corner & 1 ? 1 : -1) * half.x() * 0.97;
    const double ly = (corner & 2 ? 1 : -1) * half.y() * 0.97;
    const double lz = (corner & 4 ? 1 : -1) * half.z() * 0.97;
    const Eigen::Vector4d pw(centre.x() + c * lx - s * ly, centre.y() + s * lx + c * ly,
                             centre.z() + lz, 1.0);
    const Eigen::Vector4d pc = t_cw * pw;  // UE4 camera frame
    ASSERT_GT(pc.x(), 0.0);
    // Projection, nudged 1 px towards the projected centre: a corner on the
    // silhouette must not round onto the background.
    double uf = k.cx + k.fx * pc.y() / pc.x(), vf = k.cy - k.fy * pc.z() / pc.x();
    const double len = std::hypot(uc - uf, vc - vf);
    uf += (uc - uf) / len;
    vf += (vc - vf) / len;
    const int u = static_cast<int>(std::lround(uf));
    const int v = static_cast<int>(std::lround(vf));
    ASSERT_GE(u, 0);
    ASSERT_LT(u, img.width);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, img.height);
    const std::size_t i = static_cast<std::size_t>(v) * static_cast<std::size_t>(img.width) +
                          static_cast<std::size_t>(u);
    EXPECT_EQ(img.geom_ids[i], box_geom) << "corner " << corner;
    const std::uint8_t r = img.rgb[3 * i], g = img.rgb[3 * i + 1], b = img.rgb[3 * i + 2];
    EXPECT_GT(r, 2 * g) << "corner " << corner;  // the box's red, shaded
    EXPECT_GT(r, 2 * b) << "corner " << corner;
    // Planar depth: equal for visible corners, smaller for hidden ones.
    EXPECT_LE(img.depth_m[i], pc.x() + 0.25) << "corner " << corner;
    if (std::abs(img.depth_m[i] - pc.x()) < 0.25) ++visible;
  }
  EXPECT_GE(visible, 4);  // the near face and the top are seen

  // The written 8-bit depth PNG reads back as metres (rounded).
  const auto path = std::filesystem::temp_directory_path() / "concord_sim_depth_test.png";
  concord::formats::DepthImage d{img.width, img.height, img.depth_m};
  for (float& m : d.meters) {
    if (!std::isfinite(m)) m = 1000.0f;
  }
  concord::formats::write_depth_png(path, d, concord::formats::DepthEncoding::kOpv2vHU8);
  const auto back = concord::formats::read_depth_png(path);
  const std::size_t mid =
      static_cast<std::size_t>(img.height / 2) * static_cast<std::size_t>(img.width) +
      static_cast<std::size_t>(img.width / 2);
  EXPECT_NEAR(back.meters[mid], img.depth_m[mid], 0.5);
  EXPECT_FLOAT_EQ(back.meters[0], 255.0f);  // top-left pixel: sky
  std::filesystem::remove(path);
}

TEST(Camera, NoiseIsSeeded) {
  cs::TriangleMesh ground;
  cs::add_quad(ground, 0, 0, 0, 300, 300, 0, cs::Material::kAsphalt, {70, 70, 70});
  cs::FrameMeshes meshes;
  meshes.static_mesh = &ground;
  cs::RayCaster caster(2);
  caster.set_scene(meshes.pointers());
  cs::CameraConfig cfg;
  cfg.width_px = 64;
  cfg.height_px = 48;
  const cs::CameraIntrinsics k = cs::make_intrinsics(64, 48, 100.0);
  const cs::Pose cam{0, 0, 1.5, 0, 0, 0};
  const auto a = cs::render_camera(caster, meshes, cam, k, cs::Lighting{}, cfg, 3);
  const auto b = cs::render_camera(caster, meshes, cam, k, cs::Lighting{}, cfg, 3);
  const auto d = cs::render_camera(caster, meshes, cam, k, cs::Lighting{}, cfg, 4);
  EXPECT_EQ(a.rgb, b.rgb);
  EXPECT_NE(a.rgb, d.rgb);
  // Upper half is sky (no geometry), lower half ground.
  EXPECT_EQ(a.geom_ids.front(), cs::kNoHit);
  EXPECT_EQ(a.geom_ids.back(), 0u);
}
