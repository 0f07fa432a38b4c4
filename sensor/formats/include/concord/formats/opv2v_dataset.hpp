// Reader over an OPV2V / OPV2V-H split folder (sheet §1.1, §1.2).
#pragma once

#include "concord/formats/box.hpp"
#include "concord/formats/data_protocol.hpp"
#include "concord/formats/depth_png.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/image.hpp"
#include "concord/formats/opv2v_yaml.hpp"
#include "concord/formats/point_cloud.hpp"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace concord::formats {

/// OpenCOOD's hard-coded evaluation GT range [-140, -40, -3, 140, 40, 1] (m,
/// agent frame; sheet §3).
inline constexpr Range6 kOpenCoodGtRange{-140.0, -40.0, -3.0, 140.0, 40.0, 1.0};

/// Where the optional OPV2V-H / HEAL side files are looked for.
struct Opv2vDatasetOptions {
  /// Root of OPV2V_Hetero (holding {split}/{scenario}/{cav}/...) for
  /// {ts}_32.pcd, {ts}_16.pcd and {ts}_depth{i}.png when they are not next to
  /// the YAML. Empty: derived as HEAL does, by replacing a path component
  /// "OPV2V" of the dataset root with "OPV2V_Hetero" (when that exists).
  std::filesystem::path hetero_root;
  /// Root holding additional/{split}/... for {ts}_bev_visibility.png when it is
  /// not next to the YAML. Empty: {dataset root}/additional.
  std::filesystem::path additional_root;
};

/// One object box in a requested agent frame: OPV2V vehicle id, the hwl Box7
/// (m, rad) and the 8 true corners (m; roll/pitch kept) of that frame.
struct FrameObject {
  std::int64_t id = 0;
  Box7 box;
  Corners8 corners;
};

/// One agent (CAV or RSU) at one timestamp. Files are located at construction;
/// point clouds are loaded on first use and cached (not thread-safe), images
/// are read on every call.
class Opv2vAgentFrame {
 public:
  /// Built by Opv2vDataset::frame(); `files` maps "yaml", "pcd64", "pcd32",
  /// "pcd16", "camera{i}", "depth{i}", "bev_visibility" to existing paths.
  Opv2vAgentFrame(std::string id, AgentFrameMeta meta,
                  std::map<std::string, std::filesystem::path> files);

  /// Agent folder name, e.g. "641" (RSUs have negative ids).
  const std::string& id() const { return id_; }
  /// Parsed `{ts}.yaml`.
  const AgentFrameMeta& meta() const { return meta_; }
  /// LiDAR pose in the CARLA world (m, deg).
  const Pose6& lidar_pose() const { return meta_.lidar_pose; }

  /// True when the point cloud of `beams` (64 -> {ts}.pcd, 32 -> {ts}_32.pcd,
  /// 16 -> {ts}_16.pcd) exists.
  bool has_points(int beams = 64) const;
  /// N x 4 [x, y, z, intensity] float32 in this agent's LiDAR frame (m), as
  /// stored (ego-hit points kept; see remove_ego_points). Loaded lazily and
  /// cached. Throws FormatError when the file is absent or malformed,
  /// std::invalid_argument for beams not in {64, 32, 16}.
  const PointMatrix& points(int beams = 64) const;
  /// Path of that point cloud (may not exist).
  std::filesystem::path points_path(int beams = 64) const;

  /// True when `{ts}_camera{i}.png` exists.
  bool has_camera_image(int i) const;
  /// The RGB camera image i (0 front, 1 right-rear, 2 left-rear, 3 back).
  /// Throws FormatError when absent or malformed.
  Image8 camera_image(int i) const;
  /// True when `{ts}_depth{i}.png` exists (OPV2V-H).
  bool has_depth_image(int i) const;
  /// Depth image i in metres (encoding detected; depth_png.hpp). Throws FormatError.
  DepthImage depth_image(int i) const;
  /// True when `{ts}_bev_visibility.png` exists (HEAL camera labels).
  bool has_bev_visibility() const;
  /// The BEV visibility map (256 x 256, 0.39 m/px, heading up; sheet §1.2). Throws FormatError.
  Image8 bev_visibility() const;

  /// T_lidar<-camera(OpenCV) 4x4 for camera i, from `cords` and lidar_pose
  /// (pose.hpp camera_to_lidar_opencv). Throws FormatError when camera i is not in the YAML.
  Eigen::Matrix4d camera_to_lidar(int i) const;
  /// 3x3 intrinsic K of camera i (px). Throws FormatError when absent.
  Eigen::Matrix3d camera_intrinsic(int i) const;

 private:
  std::filesystem::path file(const std::string& key) const;
  std::string id_;
  AgentFrameMeta meta_;
  std::map<std::string, std::filesystem::path> files_;
  mutable std::array<std::optional<PointMatrix>, 3> cache_;  // 64, 32, 16
};

/// All agents of one scenario at one timestamp.
class Opv2vFrame {
 public:
  Opv2vFrame(std::string scenario, std::string timestamp, std::vector<Opv2vAgentFrame> agents);

  const std::string& scenario() const { return scenario_; }
  const std::string& timestamp() const { return timestamp_; }
  /// Agents in OpenCOOD order: folder names sorted as strings, negative (RSU)
  /// ids moved to the end; the first is the ego.
  const std::vector<Opv2vAgentFrame>& agents() const { return agents_; }
  /// The first agent (OpenCOOD's ego).
  const Opv2vAgentFrame& ego() const { return agents_.front(); }
  /// Agent by folder name; throws std::out_of_range naming the id when absent.
  const Opv2vAgentFrame& agent(const std::string& id) const;

  /// T_to<-from (4x4) between two agents' LiDAR frames = x1_to_x2(from pose, to pose).
  Eigen::Matrix4d transform(const std::string& from, const std::string& to) const;

  /// GT objects in `agent_id`'s LiDAR frame: union over all agents' `vehicles`,
  /// deduplicated by vehicle id (a later agent's copy replaces an earlier one,
  /// order of first appearance kept, as OpenCOOD's dict.update), projected with
  /// the clean lidar_pose, kept only if all 8 Box7 corners are inside `range`;
  /// with `exclude_cavs`, ids equal to an agent folder id are dropped
  /// (OPV2V never lists CAVs; sheet §1.1, §3). Throws std::out_of_range for an unknown agent.
  std::vector<FrameObject> objects_in(const std::string& agent_id,
                                      const Range6& range = kOpenCoodGtRange,
                                      bool exclude_cavs = true) const;

  /// Points of agent `source` (beams 64/32/16) as N x 4 xyzi in agent
  /// `target`'s LiDAR frame; with `drop_ego` the source's ego-hit points are
  /// removed first (remove_ego_points, §1.1). Throws as Opv2vAgentFrame::points.
  PointMatrix points_in(const std::string& source, const std::string& target, int beams = 64,
                        bool drop_ego = true) const;

 private:
  std::string scenario_;
  std::string timestamp_;
  std::vector<Opv2vAgentFrame> agents_;
};

/// Reader over `{root}/{split}/{scenario}/{cav_id}/{ts}.yaml` (+ .pcd, _32.pcd,
/// _16.pcd, _camera{i}.png, _depth{i}.png, _bev_visibility.png). Ordering is
/// deterministic: scenarios and agent folders sorted as strings (agents:
/// negative RSU ids last), timestamps = the ego's YAML stems sorted as strings
/// (files whose name contains "additional" skipped), as OpenCOOD's test-time
/// loader does. Only integer-named agent folders are agents.
class Opv2vDataset {
 public:
  /// Scans `root`/`split`. Throws FormatError naming the folder when it does not
  /// exist, holds no scenario, or a scenario holds no agent / no YAML.
  Opv2vDataset(const std::filesystem::path& root, const std::string& split,
               Opv2vDatasetOptions options = {});

  /// Scenario folder names, sorted.
  const std::vector<std::string>& scenarios() const { return scenario_names_; }
  /// Agent ids of a scenario in OpenCOOD order. Throws std::out_of_range.
  const std::vector<std::string>& agents(const std::string& scenario) const;
  /// Timestamps (YAML stems, e.g. "000068") of a scenario. Throws std::out_of_range.
  const std::vector<std::string>& timestamps(const std::string& scenario) const;
  /// Number of frames over all scenarios.
  std::size_t size() const { return index_.size(); }
  /// (scenario, timestamp) of global frame `index`; throws std::out_of_range.
  const std::pair<std::string, std::string>& frame_key(std::size_t index) const;
  /// Loads frame `index` (YAMLs parsed now; point clouds lazily). Throws
  /// FormatError naming the file when an agent's YAML is missing or malformed.
  Opv2vFrame frame(std::size_t index) const;
  /// Loads one frame by name. Throws std::out_of_range / FormatError.
  Opv2vFrame frame(const std::string& scenario, const std::string& timestamp) const;
  /// `{scenario}/data_protocol.yaml` when present. Throws FormatError when malformed.
  std::optional<DataProtocol> data_protocol(const std::string& scenario) const;
  /// `{root}/{split}`.
  const std::filesystem::path& split_dir() const { return split_dir_; }

 private:
  struct Scenario {
    std::vector<std::string> agents;
    std::vector<std::string> timestamps;
  };
  const Scenario& scenario(const std::string& name) const;
  std::filesystem::path root_;
  std::string split_;
  std::filesystem::path split_dir_;
  std::filesystem::path hetero_split_dir_;
  std::filesystem::path additional_split_dir_;
  std::vector<std::string> scenario_names_;
  std::map<std::string, Scenario> scenarios_;
  std::vector<std::pair<std::string, std::string>> index_;
};

}  // namespace concord::formats
