#include "concord/formats/box.hpp"

#include <cmath>

namespace concord::formats {
namespace {

Corners8 create_bbx(const std::array<double, 3>& e) {
  Corners8 c;
  c << e[0], -e[1], -e[2],  //
      e[0], e[1], -e[2],    //
      -e[0], e[1], -e[2],   //
      -e[0], -e[1], -e[2],  //
      e[0], -e[1], e[2],    //
      e[0], e[1], e[2],     //
      -e[0], e[1], e[2],    //
      -e[0], -e[1], e[2];
  return c;
}

double xy_dist(const Corners8& c, int a, int b) {
  return std::hypot(c(a, 0) - c(b, 0), c(a, 1) - c(b, 1));
}

double xy_angle(const Corners8& c, int a, int b) {
  return std::atan2(c(a, 1) - c(b, 1), c(a, 0) - c(b, 0));
}

}  // namespace

Pose6 object_pose(const ObjectAnnotation& obj) {
  return Pose6{obj.location[0] + obj.center[0],
               obj.location[1] + obj.center[1],
               obj.location[2] + obj.center[2],
               obj.angle[0],
               obj.angle[1],
               obj.angle[2]};
}

Corners8 object_corners(const ObjectAnnotation& obj, const Pose6& frame_pose) {
  return object_corners(obj, x_to_world(frame_pose));
}

Corners8 object_corners(const ObjectAnnotation& obj, const Eigen::Matrix4d& frame_to_world) {
  const Eigen::Matrix4d t = x1_to_x2(object_pose(obj), frame_to_world);
  const Corners8 local = create_bbx(obj.extent);
  Corners8 out;
  for (int i = 0; i < 8; ++i) {
    out.row(i) =
        (t.topLeftCorner<3, 3>() * local.row(i).transpose() + t.topRightCorner<3, 1>()).transpose();
  }
  return out;
}

Box7 corners_to_box7(const Corners8& c) {
  Box7 b;
  const Eigen::RowVector3d centre = (c.row(0) + c.row(3) + c.row(5) + c.row(6)) / 4.0;
  b.x = centre(0);
  b.y = centre(1);
  b.z = centre(2);
  double dz = 0.0;
  for (int i = 0; i < 4; ++i) dz += c(i + 4, 2) - c(i, 2);
  b.h = std::abs(dz / 4.0);
  b.l = (xy_dist(c, 0, 3) + xy_dist(c, 2, 1) + xy_dist(c, 4, 7) + xy_dist(c, 5, 6)) / 4.0;
  b.w = (xy_dist(c, 0, 1) + xy_dist(c, 2, 3) + xy_dist(c, 4, 5) + xy_dist(c, 6, 7)) / 4.0;
  b.yaw = (xy_angle(c, 1, 2) + xy_angle(c, 0, 3) + xy_angle(c, 5, 6) + xy_angle(c, 4, 7)) / 4.0;
  return b;
}

Corners8 box7_to_corners(const Box7& b) {
  const Corners8 local = create_bbx({b.l / 2.0, b.w / 2.0, b.h / 2.0});
  const double cs = std::cos(b.yaw);
  const double sn = std::sin(b.yaw);
  Corners8 out;
  for (int i = 0; i < 8; ++i) {
    out(i, 0) = local(i, 0) * cs - local(i, 1) * sn + b.x;
    out(i, 1) = local(i, 0) * sn + local(i, 1) * cs + b.y;
    out(i, 2) = local(i, 2) + b.z;
  }
  return out;
}

bool box_in_range(const Box7& box, const Range6& r, int min_corners) {
  const Corners8 c = box7_to_corners(box);
  int inside = 0;
  for (int i = 0; i < 8; ++i) {
    bool in = true;
    for (int k = 0; k < 3; ++k)
      in = in && c(i, k) >= r[static_cast<std::size_t>(k)] &&
           c(i, k) <= r[static_cast<std::size_t>(k) + 3];
    if (in) ++inside;
  }
  return inside >= min_corners;
}

std::optional<Box7> project_world_object(const ObjectAnnotation& obj, const Pose6& frame_pose,
                                         const Range6& range) {
  const Box7 b = corners_to_box7(object_corners(obj, frame_pose));
  if (!box_in_range(b, range, 8)) return std::nullopt;
  return b;
}

}  // namespace concord::formats
