#include "concord/sim/camera.hpp"

#include "concord/sim/material.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace concord::sim {
namespace {

// Building facades: a grid of dark windows (3.0 m bays, 3.2 m storeys) above
// the ground floor; roofs keep their colour.
Eigen::Vector3d facade_albedo(const Eigen::Vector3d& albedo, const Eigen::Vector3f& p,
                              const Eigen::Vector3f& n) {
  if (std::abs(n.z()) > 0.5f || p.z() < 3.2f) return albedo;
  const double along = std::abs(n.x()) > std::abs(n.y()) ? p.y() : p.x();
  const double bay = along / 3.0 - std::floor(along / 3.0);
  const double storey = p.z() / 3.2 - std::floor(p.z() / 3.2);
  if (bay > 0.2 && bay < 0.8 && storey > 0.3 && storey < 0.8) {
    return 0.35 * albedo + Eigen::Vector3d(0.05, 0.07, 0.1);
  }
  return albedo;
}

}  // namespace

Eigen::Matrix3d CameraIntrinsics::matrix() const {
  Eigen::Matrix3d k = Eigen::Matrix3d::Identity();
  k(0, 0) = fx;
  k(1, 1) = fy;
  k(0, 2) = cx;
  k(1, 2) = cy;
  return k;
}

CameraIntrinsics make_intrinsics(int width_px, int height_px, double hfov_deg) {
  CameraIntrinsics k;
  k.width = width_px;
  k.height = height_px;
  k.fx = 0.5 * width_px / std::tan(0.5 * deg2rad(hfov_deg));
  k.fy = k.fx;
  k.cx = 0.5 * width_px;
  k.cy = 0.5 * height_px;
  return k;
}

std::array<Pose, 4> cav_camera_mounts() {
  return {Pose{2.5, 0.0, 1.0, 0.0, 0.0, 0.0}, Pose{0.0, 0.3, 1.8, 0.0, 100.0, 0.0},
          Pose{0.0, -0.3, 1.8, 0.0, -100.0, 0.0}, Pose{-2.0, 0.0, 1.5, 0.0, 180.0, 0.0}};
}

std::array<Pose, 4> rsu_camera_mounts(double mast_height_m) {
  const double z = mast_height_m - 0.3;
  return {Pose{0.35, 0.0, z, 0.0, 0.0, -12.0}, Pose{0.0, 0.35, z, 0.0, 100.0, -12.0},
          Pose{0.0, -0.35, z, 0.0, -100.0, -12.0}, Pose{-0.35, 0.0, z, 0.0, 180.0, -12.0}};
}

Lighting sample_lighting(Rng& rng) {
  Lighting l;
  const double el = deg2rad(rng.uniform(20.0, 70.0));
  const double az = deg2rad(rng.uniform(0.0, 360.0));
  l.sun_dir =
      Eigen::Vector3d(std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el));
  const bool overcast = rng.bernoulli(0.3);
  l.sun_intensity = overcast ? rng.uniform(0.25, 0.45) : rng.uniform(0.6, 1.1);
  l.ambient = overcast ? rng.uniform(0.55, 0.7) : rng.uniform(0.3, 0.5);
  if (overcast) {
    const double g = rng.uniform(0.6, 0.8);
    l.sky_zenith = Eigen::Vector3d(g, g, g + 0.03);
    l.sky_horizon = Eigen::Vector3d(g + 0.1, g + 0.1, g + 0.1);
  } else {
    l.sky_zenith =
        Eigen::Vector3d(rng.uniform(0.25, 0.4), rng.uniform(0.45, 0.6), rng.uniform(0.85, 0.95));
    l.sky_horizon = Eigen::Vector3d(0.78, 0.84, 0.92);
  }
  l.exposure = rng.uniform(0.9, 1.1);
  return l;
}

CameraImage render_camera(const RayCaster& caster, const FrameMeshes& meshes,
                          const Pose& camera_pose, const CameraIntrinsics& k, const Lighting& light,
                          const CameraConfig& config, std::uint64_t seed,
                          const std::vector<std::uint32_t>& ignore) {
  const int w = k.width, h = k.height;
  const std::size_t n = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  const Eigen::Matrix4d t_wc = pose_to_matrix(camera_pose);
  const Eigen::Matrix3d r_wc = t_wc.topLeftCorner<3, 3>();
  const Eigen::Vector3f origin = t_wc.topRightCorner<3, 1>().cast<float>();
  std::vector<Ray> rays(n);
  std::vector<float> forward(n);  // cos between ray and optical axis
  for (int v = 0; v < h; ++v) {
    for (int u = 0; u < w; ++u) {
      const Eigen::Vector3d d_cam =
          Eigen::Vector3d(1.0, (u - k.cx) / k.fx, -(v - k.cy) / k.fy).normalized();
      const std::size_t i =
          static_cast<std::size_t>(v) * static_cast<std::size_t>(w) + static_cast<std::size_t>(u);
      rays[i].origin = origin;
      rays[i].dir = (r_wc * d_cam).cast<float>();
      rays[i].tnear = 0.05f;
      rays[i].tfar = 2000.0f;
      forward[i] = static_cast<float>(d_cam.x());
    }
  }
  std::vector<Hit> hits;
  caster.intersect(rays, hits, ignore);

  const Eigen::Vector3f sun = light.sun_dir.cast<float>();
  std::vector<std::uint8_t> lit(n, 0);
  if (config.shadows) {
    std::vector<Ray> shadow;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < n; ++i) {
      if (!hits[i].valid() || hits[i].normal.dot(sun) <= 0.0f) continue;
      Ray s;
      s.origin = rays[i].origin + rays[i].dir * hits[i].t + hits[i].normal * 0.01f;
      s.dir = sun;
      s.tnear = 0.0f;
      s.tfar = 1000.0f;
      shadow.push_back(s);
      which.push_back(i);
    }
    std::vector<std::uint8_t> occ;
    caster.occluded(shadow, occ);
    for (std::size_t j = 0; j < which.size(); ++j) lit[which[j]] = occ[j] ? 0 : 1;
  } else {
    for (std::size_t i = 0; i < n; ++i) lit[i] = hits[i].valid() ? 1 : 0;
  }

  CameraImage img;
  img.width = w;
  img.height = h;
  img.rgb.resize(n * 3);
  img.depth_m.resize(n);
  img.geom_ids.resize(n);
  Rng rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const Hit& hit = hits[i];
    Eigen::Vector3d c;
    if (!hit.valid()) {
      const double up = std::clamp(static_cast<double>(rays[i].dir.z()), 0.0, 1.0);
      c = light.sky_horizon + (light.sky_zenith - light.sky_horizon) * std::sqrt(up);
      img.depth_m[i] = std::numeric_limits<float>::infinity();
      img.geom_ids[i] = kNoHit;
    } else {
      const TriangleMesh& mesh = meshes.mesh(hit.geom_id);
      const Rgb8 a = mesh.albedo[hit.prim_id];
      Eigen::Vector3d albedo(a[0] / 255.0, a[1] / 255.0, a[2] / 255.0);
      if (mesh.materials[hit.prim_id] == Material::kBuilding) {
        const Eigen::Vector3f p = rays[i].origin + rays[i].dir * hit.t;
        albedo = facade_albedo(albedo, p, hit.normal);
      }
      const double ndl = std::max(0.0, static_cast<double>(hit.normal.dot(sun)));
      const double sky_term = light.ambient * (0.75 + 0.25 * static_cast<double>(hit.normal.z()));
      const Eigen::Vector3d sky_col = 0.5 * (light.sky_zenith + light.sky_horizon);
      c = albedo.cwiseProduct(sky_term * sky_col / sky_col.mean() +
                              Eigen::Vector3d::Constant(light.sun_intensity * ndl * lit[i]));
      const double haze = 1.0 - std::exp(-static_cast<double>(hit.t) / 600.0);
      c = c * (1.0 - haze) + light.sky_horizon * haze;
      img.depth_m[i] = hit.t * forward[i];
      img.geom_ids[i] = hit.geom_id;
    }
    c *= light.exposure;
    for (int ch = 0; ch < 3; ++ch) {
      const double noise = config.noise_stddev > 0.0 ? rng.normal(0.0, config.noise_stddev) : 0.0;
      img.rgb[3 * i + static_cast<std::size_t>(ch)] =
          static_cast<std::uint8_t>(std::clamp(std::lround(255.0 * c[ch] + noise), 0L, 255L));
    }
  }
  return img;
}

}  // namespace concord::sim
