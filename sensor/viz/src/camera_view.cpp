#include "concord/viz/camera_view.hpp"

#include "concord/formats/pose.hpp"

#include <cmath>

namespace concord::viz {
namespace {

constexpr int kEdges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                               {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};

}  // namespace

void draw_box_corners(Canvas& canvas, const std::vector<formats::Corners8>& boxes,
                      const Eigen::Matrix4d& camera_to_lidar, const Eigen::Matrix3d& intrinsic,
                      Rgb color, int thickness, double min_depth) {
  const Eigen::Matrix4d lidar_to_camera = formats::rigid_inverse(camera_to_lidar);
  const Eigen::Matrix3d r = lidar_to_camera.topLeftCorner<3, 3>();
  const Eigen::Vector3d t = lidar_to_camera.topRightCorner<3, 1>();
  for (const formats::Corners8& c : boxes) {
    for (const auto& e : kEdges) {
      Eigen::Vector3d a = r * c.row(e[0]).transpose() + t;
      Eigen::Vector3d b = r * c.row(e[1]).transpose() + t;
      if (a.z() < min_depth && b.z() < min_depth) continue;
      // Clip the edge to the plane z = min_depth.
      if (a.z() < min_depth) a = a + (b - a) * ((min_depth - a.z()) / (b.z() - a.z()));
      if (b.z() < min_depth) b = b + (a - b) * ((min_depth - b.z()) / (a.z() - b.z()));
      const Eigen::Vector3d pa = intrinsic * a;
      const Eigen::Vector3d pb = intrinsic * b;
      canvas.draw_line(pa.x() / pa.z(), pa.y() / pa.z(), pb.x() / pb.z(), pb.y() / pb.z(), color,
                       thickness);
    }
  }
}

void draw_boxes(Canvas& canvas, const std::vector<formats::Box7>& boxes,
                const Eigen::Matrix4d& camera_to_lidar, const Eigen::Matrix3d& intrinsic, Rgb color,
                int thickness, double min_depth) {
  std::vector<formats::Corners8> corners;
  corners.reserve(boxes.size());
  for (const auto& b : boxes) corners.push_back(formats::box7_to_corners(b));
  draw_box_corners(canvas, corners, camera_to_lidar, intrinsic, color, thickness, min_depth);
}

Canvas render_camera(const formats::Opv2vFrame& frame, const std::string& agent_id, int cam,
                     const CameraViewOptions& options) {
  const formats::Opv2vAgentFrame& agent = frame.agent(agent_id);
  const Eigen::Matrix4d cam_to_lidar = agent.camera_to_lidar(cam);
  const Eigen::Matrix3d k = agent.camera_intrinsic(cam);
  Canvas canvas = agent.has_camera_image(cam)
                      ? Canvas(agent.camera_image(cam))
                      : Canvas(std::max(1, static_cast<int>(std::lround(2.0 * k(0, 2)))),
                               std::max(1, static_cast<int>(std::lround(2.0 * k(1, 2)))), Rgb{});
  std::vector<formats::Corners8> corners;
  for (const auto& o : frame.objects_in(agent_id, options.gt_range)) corners.push_back(o.corners);
  draw_box_corners(canvas, corners, cam_to_lidar, k, options.box_color, options.thickness,
                   options.min_depth);
  return canvas;
}

}  // namespace concord::viz
