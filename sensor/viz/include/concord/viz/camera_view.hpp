// Camera pictures with projected 3-D boxes.
#pragma once

#include "concord/formats/box.hpp"
#include "concord/formats/opv2v_dataset.hpp"
#include "concord/viz/canvas.hpp"

#include <Eigen/Core>

#include <string>
#include <vector>

namespace concord::viz {

/// Options of render_camera.
struct CameraViewOptions {
  Rgb box_color{0, 255, 0};  ///< GT box edges
  int thickness = 2;         ///< px
  double min_depth = 0.5;    ///< m; edges are clipped to depth >= min_depth (OpenCV z)
  formats::Range6 gt_range = formats::kOpenCoodGtRange;  ///< GT filter in the agent frame
};

/// Projects boxes given by their 8 corners (agent LiDAR frame, m, create_bbx
/// order: 0-3 bottom, 4-7 top) into the image and draws the 12 edges.
/// `camera_to_lidar` = T_lidar<-camera(OpenCV) (pose.hpp camera_to_lidar_opencv),
/// `intrinsic` = 3x3 K (px). Edges behind min_depth are clipped in 3-D.
void draw_box_corners(Canvas& canvas, const std::vector<formats::Corners8>& boxes,
                      const Eigen::Matrix4d& camera_to_lidar, const Eigen::Matrix3d& intrinsic,
                      Rgb color, int thickness = 2, double min_depth = 0.5);

/// Same for 7-value boxes (agent frame, hwl order, rad) — for predicted boxes.
void draw_boxes(Canvas& canvas, const std::vector<formats::Box7>& boxes,
                const Eigen::Matrix4d& camera_to_lidar, const Eigen::Matrix3d& intrinsic, Rgb color,
                int thickness = 2, double min_depth = 0.5);

/// Camera image `cam` of agent `agent_id` with the frame's GT boxes
/// (Opv2vFrame::objects_in(agent_id, gt_range), true corners) drawn on it.
/// When the PNG is absent a black image of size (2 cx) x (2 cy) from K is used.
/// Throws std::out_of_range (unknown agent) and formats::FormatError (camera
/// missing from the YAML, malformed PNG).
Canvas render_camera(const formats::Opv2vFrame& frame, const std::string& agent_id, int cam,
                     const CameraViewOptions& options = {});

}  // namespace concord::viz
