#pragma once
/// \file
/// Turns frames of an OPV2V(-H) dataset into CollabSample tensors.

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "concord/formats/opv2v_dataset.hpp"
#include "concord/loader/collab_sample.hpp"
#include "concord/loader/sample_source.hpp"

namespace concord::loader {

/// What to load and how (defaults follow OpenCOOD/HEAL; sheet §1.1, §3, §4).
struct LoaderOptions {
  /// LiDAR beams whose point cloud is loaded (64, 32 or 16); 0 = no points.
  int lidar_beams = 64;
  /// Load the 4 cameras (images, intrinsics, extrinsics).
  bool cameras = false;
  /// Also load the metric depth images (camera depth supervision).
  bool depth = false;
  /// Camera labels (HEAL `label_type: camera`): keep only GT objects that some
  /// in-range agent lists itself AND whose box centre falls on a non-zero pixel
  /// of that agent's `{ts}_bev_visibility.png` (row = 127 − int(x / 0.39),
  /// col = 127 + int(y / 0.39) for 256 px; HEAL box_utils.box_is_visible).
  /// Agents without a visibility map contribute no objects. Throws
  /// formats::FormatError when a map is unreadable.
  bool camera_visible_gt = false;
  /// Visibility map resolution, m/px (OPV2V-H: 0.39).
  double visibility_resolution_m = 0.39;
  /// Agents farther than this from the ego (2-D distance of LiDAR positions, m) are dropped.
  double comm_range_m = 70.0;
  /// At most this many agents, ego included (HEAL max_cav 5).
  int max_agents = 5;
  /// GT range in the ego frame [xmin, ymin, zmin, xmax, ymax, zmax] (m); a box is
  /// kept when all 8 corners lie inside.
  formats::Range6 gt_range = formats::kOpenCoodGtRange;
  /// Pose noise (HEAL): Gaussian with these standard deviations added to every
  /// agent's x, y (m) and yaw (deg), seeded by (seed, sample index).
  double pose_noise_xy_m = 0.0;
  double pose_noise_yaw_deg = 0.0;
  std::uint64_t seed = 0;
};

/// Reads samples; the ego is the frame's first agent (OpenCOOD order).
class CollabLoader : public SampleSource {
 public:
  /// Keeps a reference to `dataset` (must outlive the loader). Throws
  /// std::invalid_argument naming the option when options are out of range.
  CollabLoader(const formats::Opv2vDataset& dataset, LoaderOptions options);

  /// Number of frames of the dataset split.
  std::size_t size() const override { return dataset_.size(); }
  const LoaderOptions& options() const { return options_; }

  /// Sample `index` in [0, size()). Throws std::out_of_range for a bad index and
  /// formats::FormatError (naming the file) for unreadable data.
  CollabSample get(std::size_t index) const override;

  /// LoaderOptions::gt_range.
  formats::Range6 gt_range() const override { return options_.gt_range; }

  /// Builds the sample of an already loaded frame (sample_index seeds the pose noise).
  CollabSample from_frame(const formats::Opv2vFrame& frame, std::size_t sample_index) const;

  /// Ids of the objects camera-visible to some of `agents` (see camera_visible_gt).
  std::set<std::int64_t> camera_visible_ids(
      const formats::Opv2vFrame& frame, const std::vector<formats::Opv2vAgentFrame>& agents) const;

 private:
  const formats::Opv2vDataset& dataset_;
  LoaderOptions options_;
};

}  // namespace concord::loader
