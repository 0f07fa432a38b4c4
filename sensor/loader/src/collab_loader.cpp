#include "concord/loader/collab_loader.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "concord/formats/point_cloud.hpp"
#include "concord/formats/pose.hpp"

namespace concord::loader {

namespace {

at::Tensor to_tensor(const Eigen::Matrix4d& m) {
  at::Tensor t = at::empty({4, 4}, at::kDouble);
  auto a = t.accessor<double, 2>();
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) a[r][c] = m(r, c);
  }
  return t;
}

at::Tensor points_tensor(const formats::PointMatrix& pm) {
  const formats::PointMatrix kept = formats::remove_ego_points(pm);
  at::Tensor t = at::empty({kept.rows(), 4}, at::kFloat);
  if (kept.rows() > 0) {
    // PointMatrix is row-major with >= 4 columns: copy x, y, z, intensity.
    float* out = t.data_ptr<float>();
    for (Eigen::Index i = 0; i < kept.rows(); ++i) {
      for (int c = 0; c < 4; ++c) out[i * 4 + c] = kept(i, c);
    }
  }
  return t;
}

at::Tensor image_tensor(const formats::Image8& img) {
  TORCH_CHECK(img.channels == 3, "camera image must have 3 channels, got ", img.channels);
  at::Tensor hwc = at::from_blob(const_cast<std::uint8_t*>(img.data.data()),
                                 {img.height, img.width, 3}, at::kByte);
  return hwc.permute({2, 0, 1}).to(at::kFloat).div_(255.0);
}

}  // namespace

CollabLoader::CollabLoader(const formats::Opv2vDataset& dataset, LoaderOptions options)
    : dataset_(dataset), options_(options) {
  const int b = options_.lidar_beams;
  if (b != 0 && b != 16 && b != 32 && b != 64) {
    throw std::invalid_argument("lidar_beams: expected 0, 16, 32 or 64, got " + std::to_string(b));
  }
  if (!(options_.comm_range_m > 0)) {
    throw std::invalid_argument("comm_range_m: expected > 0 m, got " +
                                std::to_string(options_.comm_range_m));
  }
  if (options_.max_agents < 1) {
    throw std::invalid_argument("max_agents: expected >= 1, got " +
                                std::to_string(options_.max_agents));
  }
  if (options_.pose_noise_xy_m < 0 || options_.pose_noise_yaw_deg < 0) {
    throw std::invalid_argument("pose noise standard deviations must be >= 0");
  }
}

std::set<std::int64_t> CollabLoader::camera_visible_ids(
    const formats::Opv2vFrame& frame, const std::vector<formats::Opv2vAgentFrame>& agents) const {
  constexpr double kAnywhere = 1e6;
  const formats::Range6 everywhere{-kAnywhere, -kAnywhere, -kAnywhere,
                                   kAnywhere,  kAnywhere,  kAnywhere};
  std::set<std::int64_t> ids;
  for (const auto& a : agents) {
    if (!a.has_bev_visibility()) continue;
    const formats::Image8 map = a.bev_visibility();
    const int c = map.width / 2 - 1;
    formats::Opv2vFrame own(frame.scenario(), frame.timestamp(), {a});
    for (const auto& o : own.objects_in(a.id(), everywhere, true)) {
      const int row =
          map.height / 2 - 1 - static_cast<int>(o.box.x / options_.visibility_resolution_m);
      const int col = c + static_cast<int>(o.box.y / options_.visibility_resolution_m);
      if (row < 0 || col < 0 || row >= map.height || col >= map.width) continue;
      const std::size_t at = (static_cast<std::size_t>(row) * map.width + col) *
                             static_cast<std::size_t>(map.channels);
      if (map.data[at] != 0) ids.insert(o.id);
    }
  }
  return ids;
}

CollabSample CollabLoader::get(std::size_t index) const {
  if (index >= dataset_.size()) {
    throw std::out_of_range("sample index " + std::to_string(index) + " out of [0, " +
                            std::to_string(dataset_.size()) + ")");
  }
  return from_frame(dataset_.frame(index), index);
}

CollabSample CollabLoader::from_frame(const formats::Opv2vFrame& frame,
                                      std::size_t sample_index) const {
  const formats::Opv2vAgentFrame& ego = frame.ego();
  std::vector<formats::Opv2vAgentFrame> selected;
  for (const auto& a : frame.agents()) {
    if (static_cast<int>(selected.size()) >= options_.max_agents) break;
    const double dx = a.lidar_pose().x - ego.lidar_pose().x;
    const double dy = a.lidar_pose().y - ego.lidar_pose().y;
    if (&a == &ego || std::hypot(dx, dy) <= options_.comm_range_m) selected.push_back(a);
  }

  // Pose noise (HEAL): every agent's x, y and yaw, one stream per sample.
  std::mt19937_64 rng(options_.seed * 0x9E3779B97F4A7C15ull + sample_index);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::vector<formats::Pose6> noisy;
  for (const auto& a : selected) {
    formats::Pose6 p = a.lidar_pose();
    const double nx = unit(rng), ny = unit(rng), nyaw = unit(rng);
    p.x += options_.pose_noise_xy_m * nx;
    p.y += options_.pose_noise_xy_m * ny;
    p.yaw += options_.pose_noise_yaw_deg * nyaw;
    noisy.push_back(p);
  }

  CollabSample sample;
  sample.scenario = frame.scenario();
  sample.timestamp = frame.timestamp();
  for (std::size_t k = 0; k < selected.size(); ++k) {
    const auto& a = selected[k];
    AgentData d;
    d.id = a.id();
    d.ego_from_agent = to_tensor(formats::x1_to_x2(a.lidar_pose(), ego.lidar_pose()));
    d.ego_from_agent_noisy = to_tensor(formats::x1_to_x2(noisy[k], noisy[0]));
    if (options_.lidar_beams > 0) {
      d.input.points.push_back(points_tensor(a.points(options_.lidar_beams)));
    }
    if (options_.cameras) {
      std::vector<at::Tensor> images, intrinsics, extrinsics, depths;
      for (int i = 0; i < 4; ++i) {
        images.push_back(image_tensor(a.camera_image(i)));
        const Eigen::Matrix3d K = a.camera_intrinsic(i);
        at::Tensor kt = at::empty({3, 3}, at::kFloat);
        for (int r = 0; r < 3; ++r) {
          for (int c = 0; c < 3; ++c) kt[r][c] = static_cast<float>(K(r, c));
        }
        intrinsics.push_back(kt);
        extrinsics.push_back(to_tensor(a.camera_to_lidar(i)).to(at::kFloat));
        if (options_.depth && a.has_depth_image(i)) {
          const formats::DepthImage depth = a.depth_image(i);
          depths.push_back(at::from_blob(const_cast<float*>(depth.meters.data()),
                                         {depth.height, depth.width}, at::kFloat)
                               .clone());
        }
      }
      d.input.images = at::stack(images).unsqueeze(0);
      d.input.intrinsics = at::stack(intrinsics).unsqueeze(0);
      d.input.camera_to_lidar = at::stack(extrinsics).unsqueeze(0);
      if (depths.size() == 4) d.input.depth = at::stack(depths).unsqueeze(0);
    }
    sample.agents.push_back(std::move(d));
  }

  // Ground truth: union of the in-range agents' labels in the ego frame, clean poses.
  formats::Opv2vFrame in_range(frame.scenario(), frame.timestamp(), selected);
  auto objects = in_range.objects_in(ego.id(), options_.gt_range, true);
  if (options_.camera_visible_gt) {
    const std::set<std::int64_t> visible = camera_visible_ids(frame, selected);
    objects.erase(
        std::remove_if(objects.begin(), objects.end(),
                       [&](const formats::FrameObject& o) { return visible.count(o.id) == 0; }),
        objects.end());
  }
  sample.gt_boxes = at::empty({static_cast<int64_t>(objects.size()), 7}, at::kFloat);
  sample.gt_ids = at::empty({static_cast<int64_t>(objects.size())}, at::kLong);
  auto boxes = sample.gt_boxes.accessor<float, 2>();
  auto ids = sample.gt_ids.accessor<int64_t, 1>();
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const auto v = objects[i].box.to_array();
    for (int c = 0; c < 7; ++c) boxes[static_cast<int64_t>(i)][c] = static_cast<float>(v[c]);
    ids[static_cast<int64_t>(i)] = objects[i].id;
  }

  // Each agent's own labels: the ground-truth rows it lists (and sees, for camera labels).
  for (std::size_t k = 0; k < selected.size(); ++k) {
    const auto& listed = selected[k].meta().vehicles;
    std::set<std::int64_t> visible;
    if (options_.camera_visible_gt) visible = camera_visible_ids(frame, {selected[k]});
    std::vector<int64_t> rows;
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const std::int64_t id = objects[i].id;
      if (listed.count(id) != 0 && (!options_.camera_visible_gt || visible.count(id) != 0)) {
        rows.push_back(static_cast<int64_t>(i));
      }
    }
    sample.agents[k].own_gt_boxes =
        sample.gt_boxes.index_select(0, at::tensor(rows, at::kLong)).contiguous();
  }
  return sample;
}

}  // namespace concord::loader
