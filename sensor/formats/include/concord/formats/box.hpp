// Object annotations, box corners and OpenCOOD's 7-value boxes (sheet §1.1, GT boxes).
#pragma once

#include "concord/formats/pose.hpp"

#include <Eigen/Core>

#include <array>
#include <optional>

namespace concord::formats {

/// One entry of an OPV2V YAML `vehicles` map (sheet §1.1), world frame:
/// location = world reference point (m), center = box-centre offset added to
/// location (m), extent = HALF length/width/height along the object's x/y/z (m),
/// angle = [roll, yaw, pitch] (deg), speed (km/h as CARLA/OpenCDA writes it).
struct ObjectAnnotation {
  std::array<double, 3> location{0, 0, 0};
  std::array<double, 3> center{0, 0, 0};
  std::array<double, 3> extent{0, 0, 0};
  std::array<double, 3> angle{0, 0, 0};
  double speed = 0.0;

  bool operator==(const ObjectAnnotation& o) const {
    return location == o.location && center == o.center && extent == o.extent && angle == o.angle &&
           speed == o.speed;
  }
};

/// 8 x 3 corners (rows), metres. Order of OpenCOOD create_bbx with e = extent
/// in the object frame: 0 (+e0,-e1,-e2) 1 (+e0,+e1,-e2) 2 (-e0,+e1,-e2)
/// 3 (-e0,-e1,-e2), 4..7 the same with +e2 (bottom face 0-3, top face 4-7).
using Corners8 = Eigen::Matrix<double, 8, 3>;

/// 7-value box in OpenCOOD `hwl` order: centre x, y, z (m), h, w, l (full
/// sizes, m), yaw (rad) about +z of the frame it is expressed in.
struct Box7 {
  double x = 0, y = 0, z = 0;
  double h = 0, w = 0, l = 0;
  double yaw = 0;
  /// [x, y, z, h, w, l, yaw].
  std::array<double, 7> to_array() const { return {x, y, z, h, w, l, yaw}; }
};

/// Metric range [xmin, ymin, zmin, xmax, ymax, zmax] in an agent frame (m).
using Range6 = std::array<double, 6>;

/// Object pose (location + center, angle) as a Pose6 in the world.
Pose6 object_pose(const ObjectAnnotation& obj);

/// The 8 corners of `obj`'s extent box expressed in the frame whose pose in the
/// world is `frame_pose` (e.g. an agent's lidar_pose): x1_to_x2(object pose,
/// frame_pose) applied to create_bbx(extent). Source: sheet §1.1 GT boxes.
Corners8 object_corners(const ObjectAnnotation& obj, const Pose6& frame_pose);

/// Same with the frame given as T_world<-frame (4x4).
Corners8 object_corners(const ObjectAnnotation& obj, const Eigen::Matrix4d& frame_to_world);

/// OpenCOOD corner_to_center(order='hwl'): centre = mean of corners 0, 3, 5, 6;
/// h = |mean(z[4:8] - z[0:4])|; l = mean of |c0c3|,|c2c1|,|c4c7|,|c5c6| (xy);
/// w = mean of |c0c1|,|c2c3|,|c4c5|,|c6c7| (xy); yaw = plain mean of the four
/// atan2 angles of c1-c2, c0-c3, c5-c6, c4-c7 (rad; like OpenCOOD it is not
/// wrap-safe at +-pi). Never throws.
Box7 corners_to_box7(const Corners8& corners);

/// OpenCOOD boxes_to_corners_3d(order='hwl'): template (+-l/2, +-w/2, +-h/2)
/// in create_bbx order, rotated by yaw about z, shifted to the centre.
Corners8 box7_to_corners(const Box7& box);

/// True when at least `min_corners` of box7_to_corners(box) lie inside `range`
/// (inclusive). OpenCOOD's GT filter uses min_corners = 8 (sheet §1.1).
bool box_in_range(const Box7& box, const Range6& range, int min_corners = 8);

/// OpenCOOD project_world_objects for one object: corners in the frame of
/// `frame_pose`, converted to a hwl Box7, kept only if all 8 corners of the
/// Box7 lie inside `range`; std::nullopt otherwise. Source: sheet §1.1.
std::optional<Box7> project_world_object(const ObjectAnnotation& obj, const Pose6& frame_pose,
                                         const Range6& range);

}  // namespace concord::formats
