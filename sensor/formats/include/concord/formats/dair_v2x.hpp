// Reader over a DAIR-V2X-C (cooperative vehicle-infrastructure) folder
// (sheet §1.3): pairing, calibration chains, point clouds, labels, cameras.
//
// Frames: every DAIR frame is right-handed, x forward, y left, z up, metres
// (unlike CARLA/OPV2V); "world" is DAIR's local metric world frame shared by
// both sides. Rotations are radians.
#pragma once

#include "concord/formats/box.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/image.hpp"
#include "concord/formats/point_cloud.hpp"

#include <Eigen/Core>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace concord::formats {

/// HEAL's DAIR-V2X-C LiDAR range [-102.4, -51.2, -3.5, 102.4, 51.2, 1.5]
/// (m, vehicle LiDAR frame; sheet §1.3 "Typical settings").
inline constexpr Range6 kDairRange{-102.4, -51.2, -3.5, 102.4, 51.2, 1.5};

/// The two sides of a DAIR-V2X-C pair.
enum class DairSide { kVehicle, kInfrastructure };

/// "vehicle" or "infrastructure".
const char* to_string(DairSide side);

/// One object of a DAIR label file (per-side `label/{lidar,virtuallidar,camera}`
/// or `cooperative/label_world`; sheet §1.3). Numbers may be JSON numbers or
/// numeric strings in the file; both are accepted.
struct DairObject {
  std::string type;         ///< as written: "Car", "Van", "Pedestrian", ... ("car" in cooperative)
  int truncated_state = 0;  ///< 0 when absent
  int occluded_state = 0;   ///< 0 when absent
  double alpha = 0.0;       ///< observation angle (rad); 0 when absent
  std::array<double, 4> box2d{0, 0, 0, 0};  ///< 2d_box xmin, ymin, xmax, ymax (px); 0 when absent
  double h = 0.0, w = 0.0, l = 0.0;         ///< 3d_dimensions, full sizes (m)
  /// 3d_location: box centre (m) in the label's frame (the side's LiDAR frame;
  /// the world frame for cooperative labels).
  Eigen::Vector3d location{0, 0, 0};
  /// Yaw about +z of the label's frame (rad). Required in per-side labels; often
  /// absent in cooperative labels (whose geometry is world_8_points).
  std::optional<double> rotation;
  /// Cooperative labels: the box's 8 corners in the world frame (m), rows in
  /// DAIR order (bottom face 0-3, top 4-7, |c0 c3| = length), which is the
  /// corner order of box.hpp's corners_to_box7.
  std::optional<Corners8> world_8_points;

  /// Per-side box in its LiDAR frame: [x, y, z, h, w, l, yaw] (hwl, m, rad) from
  /// location, dimensions and rotation (HEAL load_single_objects_dairv2x).
  /// Throws FormatError when rotation is absent.
  Box7 box7() const;
};

/// Which keys a label file must carry (besides type, 3d_dimensions.{h,w,l}, 3d_location.{x,y,z}).
enum class DairLabelKind {
  kSide,         ///< per-side LiDAR/camera labels: `rotation` required
  kCooperative,  ///< cooperative/label_world: `world_8_points` (8 x 3) required
};

/// Parses a DAIR label JSON (a list of objects) held in memory. `source` names
/// the file in errors. Throws FormatError (one line: file, object index, key,
/// what was expected) on invalid JSON, a missing required key or a value that is
/// neither a number nor a numeric string. Source: sheet §1.3.
std::vector<DairObject> parse_dair_labels(const std::string& json_text, const std::string& source,
                                          DairLabelKind kind);

/// Reads a DAIR label file (see parse_dair_labels). Throws FormatError naming
/// the file when it is missing or malformed.
std::vector<DairObject> read_dair_labels(const std::filesystem::path& path, DairLabelKind kind);

/// Reads a DAIR rigid calibration `{"rotation": 3x3, "translation": 3x1}` (also
/// wrapped in `"transform"`, as lidar_to_novatel is) as the 4x4 T_to<-from (m).
/// Throws FormatError naming the file and key when it is missing or malformed,
/// and with `check_rotation` when the rotation is not orthonormal
/// (max |R^T R - I| > 1e-3; the released RSU virtuallidar_to_camera files are
/// not, so camera extrinsics are read unchecked). Source: sheet §1.3.
Eigen::Matrix4d read_dair_rigid(const std::filesystem::path& path, bool check_rotation = true);

/// One side's camera: image path and calibration (sheet §1.3 calib folders).
struct DairCamera {
  std::filesystem::path image;  ///< JPEG (1920 x 1080), may be absent on disk
  /// 3 x 3 pinhole K (px) = cam_K of calib/camera_intrinsic (HEAL load_intrinsic_DAIR_V2X).
  Eigen::Matrix3d intrinsic = Eigen::Matrix3d::Identity();
  /// cam_D, plumb_bob [k1, k2, p1, p2, k3]; images are NOT undistorted. Empty when absent.
  std::vector<double> distortion;
  int width = 0;   ///< from the intrinsic file when given (RSU), else 0
  int height = 0;  ///< idem
  /// T_camera<-lidar (4 x 4, m): calib/lidar_to_camera (vehicle) or
  /// calib/virtuallidar_to_camera (RSU); camera axes are OpenCV's (x right, y down,
  /// z forward). The RSU's 3 x 3 block is not exactly a rotation in the released data.
  Eigen::Matrix4d lidar_to_camera = Eigen::Matrix4d::Identity();

  /// T_lidar<-camera(OpenCV) = general 4 x 4 inverse of lidar_to_camera (HEAL get_ext_int).
  Eigen::Matrix4d camera_to_lidar() const;
};

/// A side's point cloud as stored.
struct DairPoints {
  /// N x 4 float32 [x, y, z (m, this side's LiDAR frame), intensity as stored]:
  /// vehicle intensity is U1 (0..255), RSU intensity is F4 (0..1).
  PointMatrix xyzi;
  /// The value of a full-scale intensity in this file: 2^(8*SIZE) - 1 for an
  /// unsigned-integer field (255 for the vehicle's U1), 1 for a float field.
  double intensity_full_scale = 1.0;
  /// Vehicle: per-point Unix time (s, float64 exact); empty when the file has
  /// no `timestamp` field (RSU).
  std::vector<double> timestamp_s;
};

/// One side of one pair: ids, timestamps, files, pose and camera.
struct DairAgentFrame {
  DairSide side = DairSide::kVehicle;
  std::string frame_id;                      ///< e.g. "015372" (vehicle), "000016" (RSU)
  std::string intersection_loc;              ///< e.g. "yizhuang08"; empty when absent
  std::int64_t pointcloud_timestamp_us = 0;  ///< per-side data_info.json (µs, Unix)
  std::int64_t image_timestamp_us = 0;       ///< idem
  std::filesystem::path pointcloud;          ///< velodyne/{id}.pcd
  std::filesystem::path lidar_label;         ///< label/lidar (vehicle) or label/virtuallidar (RSU)
  std::filesystem::path camera_label;        ///< label/camera
  /// T_world<-lidar (4 x 4, m). Vehicle: novatel_to_world ∘ lidar_to_novatel.
  /// RSU: virtuallidar_to_world with the pair's system_error_offset added to
  /// the translation's x and y (HEAL inf_side_rot_and_trans_to_trasnformation_matrix).
  /// Source: sheet §1.3 "Poses".
  Eigen::Matrix4d lidar_to_world = Eigen::Matrix4d::Identity();
  DairCamera camera;

  /// Reads `pointcloud` (PCD binary_compressed; fields x y z intensity
  /// [timestamp]). Throws FormatError naming the file when it is missing,
  /// truncated, malformed, or lacks x, y, z or intensity.
  DairPoints read_points() const;
  /// Reads `lidar_label` (DairLabelKind::kSide). Throws FormatError naming the file.
  std::vector<DairObject> read_lidar_labels() const;
  /// Reads `camera_label` (DairLabelKind::kSide). Throws FormatError naming the file.
  std::vector<DairObject> read_camera_labels() const;
  /// Decodes `camera.image` as 8-bit RGB (formats/jpeg.hpp). Throws FormatError naming the file.
  Image8 read_image() const;
};

/// One entry of cooperative/data_info.json: the pairing (paths relative to the root).
struct DairPairInfo {
  std::string vehicle_frame_id;         ///< stem of vehicle_pointcloud_path
  std::string infrastructure_frame_id;  ///< stem of infrastructure_pointcloud_path
  std::filesystem::path vehicle_pointcloud, vehicle_image;
  std::filesystem::path infrastructure_pointcloud, infrastructure_image;
  std::filesystem::path cooperative_label;  ///< cooperative/label_world/{veh_id}.json
  /// system_error_offset {delta_x, delta_y} (m, world x/y), added to the RSU pose.
  double system_error_offset_x = 0.0, system_error_offset_y = 0.0;
  std::int64_t vehicle_pointcloud_timestamp_us = 0;  ///< from vehicle-side/data_info.json
};

/// One entry of vehicle-side/ or infrastructure-side/data_info.json.
struct DairSideInfo {
  std::string frame_id;                      ///< stem of pointcloud_path
  std::string intersection_loc;              ///< empty when absent
  std::int64_t pointcloud_timestamp_us = 0;  ///< µs, Unix (a numeric string in the file)
  std::int64_t image_timestamp_us = 0;       ///< idem
  /// Every string-valued key ending in "_path" (pointcloud_path, image_path,
  /// calib_*_path, label_*_path) -> {root}/{side folder}/{value}.
  std::map<std::string, std::filesystem::path> files;
};

/// A loaded pair: both sides with calibrations read, plus the cooperative label path.
struct DairPair {
  std::size_t index = 0;  ///< position in the dataset (time order)
  DairPairInfo info;
  DairAgentFrame vehicle;
  DairAgentFrame infrastructure;

  /// T_vehicle-lidar<-RSU-lidar (4 x 4, m) = inv(vehicle.lidar_to_world) *
  /// infrastructure.lidar_to_world.
  Eigen::Matrix4d vehicle_from_infrastructure() const;
  /// Reads info.cooperative_label (DairLabelKind::kCooperative): the deduplicated
  /// cooperative GT with world_8_points (sheet §1.3). Throws FormatError naming the file.
  std::vector<DairObject> read_cooperative_labels() const;
};

/// Reader over a DAIR-V2X-C root holding cooperative/, vehicle-side/ and
/// infrastructure-side/ (sheet §1.3 layout). Pairs are ordered by time: by the
/// vehicle point cloud timestamp, ties by vehicle frame id. Nothing is cached:
/// every pair() call reads its calibration files anew (safe from several threads).
class DairV2xDataset {
 public:
  /// Reads cooperative/data_info.json and both sides' data_info.json. Throws
  /// FormatError naming the file when one is missing or malformed, or when a
  /// pair names a frame absent from its side's data_info.json.
  explicit DairV2xDataset(const std::filesystem::path& root);

  /// Number of pairs.
  std::size_t size() const { return pairs_.size(); }
  /// Pairing entry `index` in time order; throws std::out_of_range.
  const DairPairInfo& info(std::size_t index) const;
  /// Loads pair `index`: both sides' data_info entries and calibration files
  /// (point clouds, labels and images are read on demand). Throws
  /// std::out_of_range for a bad index and FormatError naming the file (and
  /// key) when a calibration file is missing or malformed.
  DairPair pair(std::size_t index) const;
  /// The per-side data_info.json entry of frame `frame_id`; throws std::out_of_range.
  const DairSideInfo& side_info(DairSide side, const std::string& frame_id) const;
  /// The root folder given at construction.
  const std::filesystem::path& root() const { return root_; }

 private:
  DairAgentFrame load_side(DairSide side, const std::string& frame_id,
                           const DairPairInfo& info) const;
  std::filesystem::path root_;
  std::vector<DairPairInfo> pairs_;
  std::map<std::string, DairSideInfo> vehicle_;
  std::map<std::string, DairSideInfo> infrastructure_;
};

}  // namespace concord::formats
