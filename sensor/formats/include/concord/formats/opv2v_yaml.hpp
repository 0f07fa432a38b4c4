// Per-agent, per-frame OPV2V YAML metadata `{ts}.yaml` (sheet §1.1).
#pragma once

#include "concord/formats/box.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/pose.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace concord::formats {

/// One `camera{i}` block: `cords` = camera pose in the CARLA world (Pose6, m/deg),
/// `extrinsic` = camera->lidar 4x4 (UE4 camera axes), `intrinsic` = 3x3 K
/// (pixels; 800x600 images: fx = fy ~ 335.64, cx = 400, cy = 300). Sheet §1.1.
struct CameraMeta {
  Pose6 cords;
  Eigen::Matrix4d extrinsic = Eigen::Matrix4d::Identity();
  Eigen::Matrix3d intrinsic = Eigen::Matrix3d::Identity();
};

/// Contents of one agent's `{ts}.yaml` (sheet §1.1). Poses are world frame,
/// [x, y, z, roll, yaw, pitch] in m/deg. Fields not listed (e.g.
/// `plan_trajectory`) are ignored on read and not written.
struct AgentFrameMeta {
  Pose6 lidar_pose;                        ///< LiDAR pose (required on read)
  Pose6 true_ego_pos;                      ///< vehicle pose; = lidar_pose when absent
  std::optional<Pose6> predicted_ego_pos;  ///< GPS-noised pose, when present
  double ego_speed = 0.0;                  ///< km/h; 0 when absent
  std::map<int, CameraMeta> cameras;       ///< index i of `camera{i}` (0 front, 1 right-rear,
                                           ///< 2 left-rear, 3 back) -> params; only those present
  std::map<std::int64_t, ObjectAnnotation> vehicles;  ///< object id -> annotation (CAVs absent)
};

/// Parses YAML text. Robust to PyYAML output: integer or float scalars,
/// exponent floats with or without a dot ("1e-05", "1.0e-05"), .inf/.nan,
/// integer vehicle ids, `vehicles: {}` or null, missing optional blocks.
/// Throws FormatError (naming `source`, with the key and what was expected)
/// on a YAML syntax error, a missing lidar_pose or a list of the wrong length.
AgentFrameMeta parse_agent_yaml(const std::string& text, const std::string& source);

/// Reads `{ts}.yaml`; see parse_agent_yaml. Throws FormatError.
AgentFrameMeta read_agent_yaml(const std::filesystem::path& path);

/// Emits block-style YAML with keys in PyYAML's sorted order; doubles are
/// written with max_digits10 (17) significant digits so that parse_agent_yaml
/// gives back bit-identical values. Never throws except std::bad_alloc.
std::string emit_agent_yaml(const AgentFrameMeta& meta);

/// Writes emit_agent_yaml(meta) to `path`. Throws FormatError on I/O failure.
void write_agent_yaml(const std::filesystem::path& path, const AgentFrameMeta& meta);

}  // namespace concord::formats
