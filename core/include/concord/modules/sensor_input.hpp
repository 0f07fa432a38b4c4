#pragma once
/// \file
/// What an encoder consumes: one agent's sensor data for a batch of frames.

#include <ATen/core/Tensor.h>

#include <vector>

namespace concord {

/// One agent type's sensor data for B frames, in that agent's LiDAR frame
/// (x forward, y right, z up as CARLA/OPV2V; metres).
struct SensorInput {
  /// LiDAR agents: B tensors [N_b, 4] float32 (x, y, z in m; intensity in [0, 1]).
  std::vector<at::Tensor> points;
  /// Camera agents: [B, Ncam, 3, H, W] float32 RGB in [0, 1]; undefined for LiDAR agents.
  at::Tensor images;
  /// Camera agents: [B, Ncam, 3, 3] float32 pinhole intrinsics in pixels of `images`.
  at::Tensor intrinsics;
  /// Camera agents: [B, Ncam, 4, 4] float32 camera(OpenCV axes)→LiDAR transforms, m.
  at::Tensor camera_to_lidar;
  /// Camera agents in training: [B, Ncam, H, W] float32 metric planar depth of
  /// `images` (m, 0 = no measurement) for depth supervision; undefined otherwise.
  at::Tensor depth;
};

}  // namespace concord
