#pragma once
/// \file
/// One collaborative sample in tensors: the ego and the collaborators within
/// communication range at one timestamp, their sensor data in their own LiDAR
/// frames, their poses relative to the ego, and the cooperative ground truth in
/// the ego frame (reference/field-conventions.md §1.1, §3, §4).

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "concord/modules/sensor_input.hpp"

namespace concord::loader {

/// One agent of a sample.
struct AgentData {
  std::string id;  ///< OPV2V agent folder id ("641"; RSUs negative)
  /// Sensor data in this agent's LiDAR frame, batch of 1 (points: one [N, 4]
  /// float32 tensor x, y, z (m), intensity; cameras: images [1, Ncam, 3, H, W]
  /// float32 in [0, 1], intrinsics [1, Ncam, 3, 3], camera_to_lidar [1, Ncam, 4, 4], and
  /// depth [1, Ncam, H, W] when LoaderOptions::depth and the depth images exist).
  SensorInput input;
  /// [4, 4] float64 T_ego←agent from the clean poses (identity for the ego).
  at::Tensor ego_from_agent;
  /// [4, 4] float64 T_ego←agent from the poses with the sample's pose noise
  /// (equal to ego_from_agent when the noise is 0). Features are warped with this one.
  at::Tensor ego_from_agent_noisy;
  /// [M_k, 7] float32, ego frame, clean poses: the rows of the sample's gt_boxes that this
  /// agent lists itself (and, with camera labels, sees in its own visibility map): HEAL's
  /// per-agent "single" labels, which supervise each agent's pyramid occupancy logits
  /// (reference/field-conventions.md §2.4). Undefined when the format has no per-agent
  /// labels (DAIR-V2X); the occupancy loss is then not applied.
  at::Tensor own_gt_boxes;
};

/// A collaborative sample: ego first, then collaborators within range.
struct CollabSample {
  std::string scenario;
  std::string timestamp;
  std::vector<AgentData> agents;
  /// [M, 7] float32 [x, y, z, h, w, l, yaw] (m, rad) in the ego frame: the union of
  /// the in-range agents' labels, clean poses, all 8 corners inside the GT range.
  at::Tensor gt_boxes;
  /// OPV2V vehicle ids of gt_boxes, [M] int64.
  at::Tensor gt_ids;
};

}  // namespace concord::loader
