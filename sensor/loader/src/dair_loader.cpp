#include "concord/loader/dair_loader.hpp"

#include <ATen/ATen.h>
#include <Eigen/Dense>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "concord/formats/box.hpp"
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

// [N, 4] float32: finite rows, optionally without ego hits, intensity scaled.
at::Tensor points_tensor(const formats::DairPoints& pts, const DairLoaderOptions& o) {
  const double scale = o.heal_intensity ? 1.0 / 256.0 : 1.0 / pts.intensity_full_scale;
  std::vector<float> keep;
  keep.reserve(static_cast<std::size_t>(pts.xyzi.rows()) * 4);
  for (Eigen::Index i = 0; i < pts.xyzi.rows(); ++i) {
    const float x = pts.xyzi(i, 0), y = pts.xyzi(i, 1), z = pts.xyzi(i, 2);
    if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z)) continue;
    if (o.remove_ego_points && x >= -1.95f && x <= 2.95f && y >= -1.1f && y <= 1.1f) continue;
    keep.insert(keep.end(),
                {x, y, z, static_cast<float>(static_cast<double>(pts.xyzi(i, 3)) * scale)});
  }
  const auto n = static_cast<int64_t>(keep.size() / 4);
  return at::from_blob(keep.data(), {n, 4}, at::kFloat).clone();
}

void load_camera(const formats::DairAgentFrame& side, SensorInput& input) {
  const formats::Image8 img = side.read_image();
  at::Tensor hwc = at::from_blob(const_cast<std::uint8_t*>(img.data.data()),
                                 {img.height, img.width, 3}, at::kByte);
  input.images = hwc.permute({2, 0, 1}).to(at::kFloat).div_(255.0).unsqueeze(0).unsqueeze(0);
  at::Tensor k = at::empty({3, 3}, at::kFloat);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) k[r][c] = static_cast<float>(side.camera.intrinsic(r, c));
  }
  input.intrinsics = k.unsqueeze(0).unsqueeze(0);
  input.camera_to_lidar =
      to_tensor(side.camera.camera_to_lidar()).to(at::kFloat).unsqueeze(0).unsqueeze(0);
}

// Pre-multiplies a world pose by a noise rotation about world z and a world x/y shift.
Eigen::Matrix4d noisy_pose(const Eigen::Matrix4d& pose, double dx, double dy, double dyaw_deg) {
  Eigen::Matrix4d n = Eigen::Matrix4d::Identity();
  n.topLeftCorner<3, 3>() =
      Eigen::AngleAxisd(dyaw_deg * M_PI / 180.0, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  Eigen::Matrix4d out = n * pose;
  out(0, 3) = pose(0, 3) + dx;
  out(1, 3) = pose(1, 3) + dy;
  return out;
}

}  // namespace

std::vector<std::size_t> dair_split_indices(std::size_t num_pairs, DairSplit split,
                                            const DairSplitOptions& options) {
  if (options.train_pairs + options.test_pairs > num_pairs) {
    throw std::invalid_argument("DAIR split: train_pairs " + std::to_string(options.train_pairs) +
                                " + test_pairs " + std::to_string(options.test_pairs) +
                                " exceeds the " + std::to_string(num_pairs) +
                                " pairs (train and test would share frames)");
  }
  std::size_t first = 0, count = num_pairs;
  if (split == DairSplit::kTrain) {
    count = options.train_pairs;
  } else if (split == DairSplit::kValidate) {
    count = std::min(options.validate_pairs, options.train_pairs);
    first = options.train_pairs - count;
  } else if (split == DairSplit::kTest) {
    first = num_pairs - options.test_pairs;
    count = options.test_pairs;
  }
  std::vector<std::size_t> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = first + i;
  return out;
}

DairV2xLoader::DairV2xLoader(const formats::DairV2xDataset& dataset, DairLoaderOptions options,
                             DairSplit split)
    : dataset_(dataset), options_(options) {
  if (!(options_.comm_range_m > 0)) {
    throw std::invalid_argument("comm_range_m: expected > 0 m, got " +
                                std::to_string(options_.comm_range_m));
  }
  if (!(options_.gt_z_margin_m >= 0)) {
    throw std::invalid_argument("gt_z_margin_m: expected >= 0 m, got " +
                                std::to_string(options_.gt_z_margin_m));
  }
  const auto& r = options_.gt_range;
  if (!(r[0] < r[3] && r[1] < r[4] && r[2] < r[5])) {
    throw std::invalid_argument(
        "gt_range: expected [xmin, ymin, zmin, xmax, ymax, zmax] with min < max");
  }
  if (options_.pose_noise_xy_m < 0 || options_.pose_noise_yaw_deg < 0) {
    throw std::invalid_argument("pose noise standard deviations must be >= 0");
  }
  indices_ = dair_split_indices(dataset_.size(), split, options_.split);
}

formats::Range6 DairV2xLoader::gt_range() const {
  formats::Range6 range = options_.gt_range;
  range[2] -= options_.gt_z_margin_m;
  range[5] += options_.gt_z_margin_m;
  return range;
}

CollabSample DairV2xLoader::get(std::size_t index) const {
  if (index >= indices_.size()) {
    throw std::out_of_range("sample index " + std::to_string(index) + " out of [0, " +
                            std::to_string(indices_.size()) + ")");
  }
  return from_pair(dataset_.pair(indices_[index]));
}

CollabSample DairV2xLoader::from_pair(const formats::DairPair& pair) const {
  const Eigen::Matrix4d& ego_pose = pair.vehicle.lidar_to_world;
  const Eigen::Matrix4d& rsu_pose = pair.infrastructure.lidar_to_world;
  const double dist = std::hypot(rsu_pose(0, 3) - ego_pose(0, 3), rsu_pose(1, 3) - ego_pose(1, 3));
  std::vector<const formats::DairAgentFrame*> sides{&pair.vehicle};
  if (dist <= options_.comm_range_m) sides.push_back(&pair.infrastructure);

  // Pose noise (HEAL): every agent's x, y and yaw, one stream per pair.
  std::mt19937_64 rng(options_.seed * 0x9E3779B97F4A7C15ull + pair.index);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::vector<Eigen::Matrix4d> noisy;
  for (const auto* s : sides) {
    const double nx = unit(rng), ny = unit(rng), nyaw = unit(rng);
    noisy.push_back(noisy_pose(s->lidar_to_world, options_.pose_noise_xy_m * nx,
                               options_.pose_noise_xy_m * ny, options_.pose_noise_yaw_deg * nyaw));
  }

  CollabSample sample;
  sample.scenario = pair.vehicle.intersection_loc;
  sample.timestamp = pair.vehicle.frame_id;
  const Eigen::Matrix4d world_to_ego = formats::rigid_inverse(ego_pose);
  const Eigen::Matrix4d world_to_ego_noisy = formats::rigid_inverse(noisy[0]);
  for (std::size_t k = 0; k < sides.size(); ++k) {
    const formats::DairAgentFrame& s = *sides[k];
    AgentData d;
    d.id = formats::to_string(s.side);
    d.ego_from_agent = to_tensor(world_to_ego * s.lidar_to_world);
    d.ego_from_agent_noisy = to_tensor(world_to_ego_noisy * noisy[k]);
    if (options_.points) d.input.points.push_back(points_tensor(s.read_points(), options_));
    if (options_.cameras) load_camera(s, d.input);
    sample.agents.push_back(std::move(d));
  }

  // Ground truth: cooperative world_8_points in the ego frame (HEAL
  // project_world_objects_dairv2x), all 8 Box7 corners in the widened range.
  formats::Range6 range = options_.gt_range;
  range[2] -= options_.gt_z_margin_m;
  range[5] += options_.gt_z_margin_m;
  std::vector<formats::Box7> boxes;
  std::vector<int64_t> ids;
  const auto labels = pair.read_cooperative_labels();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const formats::Corners8& world = *labels[i].world_8_points;
    const formats::Corners8 ego = formats::transform_points(world_to_ego, world);
    const formats::Box7 b = formats::corners_to_box7(ego);
    if (!formats::box_in_range(b, range)) continue;
    boxes.push_back(b);
    ids.push_back(static_cast<int64_t>(i));
  }
  const auto m = static_cast<int64_t>(boxes.size());
  sample.gt_boxes = at::empty({m, 7}, at::kFloat);
  sample.gt_ids = at::empty({m}, at::kLong);
  auto bt = sample.gt_boxes.accessor<float, 2>();
  auto it = sample.gt_ids.accessor<int64_t, 1>();
  for (int64_t i = 0; i < m; ++i) {
    const auto v = boxes[static_cast<std::size_t>(i)].to_array();
    for (int c = 0; c < 7; ++c) bt[i][c] = static_cast<float>(v[static_cast<std::size_t>(c)]);
    it[i] = ids[static_cast<std::size_t>(i)];
  }
  return sample;
}

}  // namespace concord::loader
