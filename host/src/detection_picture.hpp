#pragma once
/// \file
/// BEV pictures of one evaluated sample: every agent's LiDAR points in the ego
/// frame, ground truth (green), predictions (red) and agent poses.

#include <ATen/core/Tensor.h>

#include <filesystem>

#include "concord/loader/collab_sample.hpp"

namespace concord::host {

/// Renders `sample` with `boxes` [K, 7] float32 (ego frame, m/rad, hwl as
/// OpenCOOD) over [-half_extent_m, half_extent_m]² at 0.1 m/px and writes a PNG
/// to `path` (written to a temporary file, then renamed). Points come from
/// each agent's `input.points`, moved with its clean T_ego←agent; camera agents
/// contribute no points. Throws formats::FormatError when the file cannot be written.
void save_detection_picture(const std::filesystem::path& path, const loader::CollabSample& sample,
                            const at::Tensor& boxes, double half_extent_m);

}  // namespace concord::host
