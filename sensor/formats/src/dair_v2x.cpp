#include "concord/formats/dair_v2x.hpp"

#include "concord/formats/jpeg.hpp"
#include "concord/formats/pcd.hpp"
#include "concord/formats/pose.hpp"
#include "file_io.hpp"

#include <nlohmann/json.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace concord::formats {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json parse_json(const std::string& text, const std::string& src) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw FormatError(src, std::string("invalid JSON: ") + e.what());
  }
}

json read_json(const fs::path& path) {
  return parse_json(detail::read_file_bytes(path), path.string());
}

// Short text of a JSON value for error messages.
std::string describe(const json& v) {
  std::string d = v.dump();
  if (d.size() > 40) d = d.substr(0, 37) + "...";
  return d;
}

// obj[a][b]... for a dotted key "a.b"; nullptr when any level is absent.
const json* find(const json& obj, const std::string& dotted) {
  const json* cur = &obj;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    const std::string part = dotted.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!cur->is_object()) return nullptr;
    const auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

// A JSON number, or a string holding exactly one number (DAIR writes both).
bool to_double(const json& v, double& out) {
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  const char* first = s.data();
  const char* last = s.data() + s.size();
  while (first < last && *first == ' ') ++first;
  while (last > first && last[-1] == ' ') --last;
  if (first < last && *first == '+') ++first;
  const auto res = std::from_chars(first, last, out);
  return first < last && res.ec == std::errc() && res.ptr == last;
}

double number_at(const json& obj, const std::string& key, const std::string& src,
                 const std::string& where) {
  const json* v = find(obj, key);
  if (v == nullptr) throw FormatError(src, where + "missing key '" + key + "' (expected a number)");
  double out = 0.0;
  if (!to_double(*v, out)) {
    throw FormatError(src, where + "key '" + key + "' = " + describe(*v) +
                               " (expected a number or a numeric string)");
  }
  return out;
}

std::optional<double> optional_number(const json& obj, const std::string& key,
                                      const std::string& src, const std::string& where) {
  if (find(obj, key) == nullptr) return std::nullopt;
  return number_at(obj, key, src, where);
}

std::string string_at(const json& obj, const std::string& key, const std::string& src,
                      const std::string& where) {
  const json* v = find(obj, key);
  if (v == nullptr) throw FormatError(src, where + "missing key '" + key + "' (expected a string)");
  if (!v->is_string()) {
    throw FormatError(src, where + "key '" + key + "' = " + describe(*v) + " (expected a string)");
  }
  return v->get<std::string>();
}

// Unix time in µs written as a number or a numeric string.
std::int64_t micros_at(const json& obj, const std::string& key, const std::string& src,
                       const std::string& where) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    throw FormatError(src, where + "missing key '" + key + "' (expected a timestamp in µs)");
  }
  std::int64_t out = 0;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    if (!s.empty() && res.ec == std::errc() && res.ptr == s.data() + s.size()) return out;
  }
  throw FormatError(src, where + "key '" + key + "' = " + describe(*v) +
                             " (expected an integer timestamp in µs)");
}

const json& list_root(const json& root, const std::string& src) {
  if (!root.is_array()) {
    throw FormatError(
        src, std::string("expected a JSON list at the top level, got ") + root.type_name());
  }
  return root;
}

std::string where_object(std::size_t i) {
  return "object " + std::to_string(i) + ": ";
}

Corners8 corners_at(const json& obj, const std::string& key, const std::string& src,
                    const std::string& where) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    throw FormatError(src, where + "missing key '" + key + "' (expected 8 x 3 world corners)");
  }
  if (!v->is_array() || v->size() != 8) {
    throw FormatError(
        src, where + "key '" + key + "' = " + describe(*v) + " (expected 8 corners of 3 numbers)");
  }
  Corners8 c;
  for (int r = 0; r < 8; ++r) {
    const json& row = (*v)[static_cast<std::size_t>(r)];
    if (!row.is_array() || row.size() != 3) {
      throw FormatError(src, where + "key '" + key + "[" + std::to_string(r) +
                                 "]' = " + describe(row) + " (expected 3 numbers)");
    }
    for (int k = 0; k < 3; ++k) {
      if (!to_double(row[static_cast<std::size_t>(k)], c(r, k))) {
        throw FormatError(
            src, where + "key '" + key + "[" + std::to_string(r) + "][" + std::to_string(k) +
                     "]' = " + describe(row[static_cast<std::size_t>(k)]) + " (expected a number)");
      }
    }
  }
  return c;
}

DairObject parse_object(const json& o, const std::string& src, std::size_t i, DairLabelKind kind) {
  const std::string where = where_object(i);
  if (!o.is_object()) {
    throw FormatError(src, where + "expected a JSON object, got " + describe(o));
  }
  DairObject obj;
  obj.type = string_at(o, "type", src, where);
  obj.truncated_state =
      static_cast<int>(std::lround(optional_number(o, "truncated_state", src, where).value_or(0)));
  obj.occluded_state =
      static_cast<int>(std::lround(optional_number(o, "occluded_state", src, where).value_or(0)));
  obj.alpha = optional_number(o, "alpha", src, where).value_or(0.0);
  if (find(o, "2d_box") != nullptr) {
    const char* keys[4] = {"2d_box.xmin", "2d_box.ymin", "2d_box.xmax", "2d_box.ymax"};
    for (int k = 0; k < 4; ++k)
      obj.box2d[static_cast<std::size_t>(k)] = number_at(o, keys[k], src, where);
  }
  obj.h = number_at(o, "3d_dimensions.h", src, where);
  obj.w = number_at(o, "3d_dimensions.w", src, where);
  obj.l = number_at(o, "3d_dimensions.l", src, where);
  obj.location = {number_at(o, "3d_location.x", src, where),
                  number_at(o, "3d_location.y", src, where),
                  number_at(o, "3d_location.z", src, where)};
  if (kind == DairLabelKind::kSide) {
    obj.rotation = number_at(o, "rotation", src, where);
  } else {
    obj.rotation = optional_number(o, "rotation", src, where);
    obj.world_8_points = corners_at(o, "world_8_points", src, where);
  }
  return obj;
}

// {"rotation": 3x3, "translation": 3x1 or 3} -> 4x4.
Eigen::Matrix4d rigid_from_json(const json& root, const std::string& src, bool check_rotation) {
  const json* t = root.is_object() && root.contains("transform") ? &root["transform"] : &root;
  const std::string pre = t == &root ? "" : "transform.";
  if (!t->is_object()) {
    throw FormatError(
        src, "expected a JSON object with 'rotation' and 'translation', got " + describe(*t));
  }
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  const json* rot = find(*t, "rotation");
  if (rot == nullptr) throw FormatError(src, "missing key '" + pre + "rotation' (expected 3 x 3)");
  if (!rot->is_array() || rot->size() != 3) {
    throw FormatError(src, "key '" + pre + "rotation' = " + describe(*rot) + " (expected 3 x 3)");
  }
  for (int r = 0; r < 3; ++r) {
    const json& row = (*rot)[static_cast<std::size_t>(r)];
    if (!row.is_array() || row.size() != 3) {
      throw FormatError(src, "key '" + pre + "rotation[" + std::to_string(r) +
                                 "]' = " + describe(row) + " (expected 3 numbers)");
    }
    for (int c = 0; c < 3; ++c) {
      if (!to_double(row[static_cast<std::size_t>(c)], m(r, c))) {
        throw FormatError(
            src, "key '" + pre + "rotation[" + std::to_string(r) + "][" + std::to_string(c) +
                     "]' = " + describe(row[static_cast<std::size_t>(c)]) + " (expected a number)");
      }
    }
  }
  const json* tr = find(*t, "translation");
  if (tr == nullptr) {
    throw FormatError(src, "missing key '" + pre + "translation' (expected 3 x 1)");
  }
  if (!tr->is_array() || tr->size() != 3) {
    throw FormatError(src, "key '" + pre + "translation' = " + describe(*tr) + " (expected 3 x 1)");
  }
  for (int r = 0; r < 3; ++r) {
    const json& e = (*tr)[static_cast<std::size_t>(r)];
    const json& v = e.is_array() && e.size() == 1 ? e[0] : e;
    if (!to_double(v, m(r, 3))) {
      throw FormatError(src, "key '" + pre + "translation[" + std::to_string(r) +
                                 "]' = " + describe(e) + " (expected a number or [number])");
    }
  }
  const Eigen::Matrix3d R = m.topLeftCorner<3, 3>();
  const double err = (R.transpose() * R - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff();
  if (check_rotation && !(err <= 1e-3)) {
    throw FormatError(src, "key '" + pre + "rotation' is not a rotation (|R^T R - I| = " +
                               std::to_string(err) + ", expected <= 0.001)");
  }
  return m;
}

const char* side_folder(DairSide side) {
  return side == DairSide::kVehicle ? "vehicle-side" : "infrastructure-side";
}

std::map<std::string, DairSideInfo> read_side_infos(const fs::path& root, DairSide side) {
  const fs::path file = root / side_folder(side) / "data_info.json";
  const std::string src = file.string();
  const json root_json = read_json(file);
  const json& list = list_root(root_json, src);
  std::map<std::string, DairSideInfo> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& e = list[i];
    const std::string where = "entry " + std::to_string(i) + ": ";
    if (!e.is_object())
      throw FormatError(src, where + "expected a JSON object, got " + describe(e));
    DairSideInfo info;
    info.frame_id = fs::path(string_at(e, "pointcloud_path", src, where)).stem().string();
    info.pointcloud_timestamp_us = micros_at(e, "pointcloud_timestamp", src, where);
    if (e.contains("image_timestamp")) {
      info.image_timestamp_us = micros_at(e, "image_timestamp", src, where);
    }
    if (e.contains("intersection_loc") && e["intersection_loc"].is_string()) {
      info.intersection_loc = e["intersection_loc"].get<std::string>();
    }
    for (const auto& [key, value] : e.items()) {
      if (key.size() > 5 && key.compare(key.size() - 5, 5, "_path") == 0 && value.is_string()) {
        info.files[key] = root / side_folder(side) / value.get<std::string>();
      }
    }
    out[info.frame_id] = std::move(info);
  }
  return out;
}

DairCamera read_camera(const fs::path& intrinsic_file, const fs::path& extrinsic_file,
                       const fs::path& image) {
  DairCamera cam;
  cam.image = image;
  const json k = read_json(intrinsic_file);
  const std::string src = intrinsic_file.string();
  if (!k.is_object()) throw FormatError(src, "expected a JSON object, got " + describe(k));
  const json* kk = find(k, "cam_K");
  if (kk == nullptr) throw FormatError(src, "missing key 'cam_K' (expected 9 numbers)");
  if (!kk->is_array() || kk->size() != 9) {
    throw FormatError(src, "key 'cam_K' = " + describe(*kk) + " (expected 9 numbers)");
  }
  for (int i = 0; i < 9; ++i) {
    if (!to_double((*kk)[static_cast<std::size_t>(i)], cam.intrinsic(i / 3, i % 3))) {
      throw FormatError(src, "key 'cam_K[" + std::to_string(i) +
                                 "]' = " + describe((*kk)[static_cast<std::size_t>(i)]) +
                                 " (expected a number)");
    }
  }
  if (const json* d = find(k, "cam_D"); d != nullptr && d->is_array()) {
    for (std::size_t i = 0; i < d->size(); ++i) {
      double v = 0.0;
      if (!to_double((*d)[i], v)) {
        throw FormatError(src, "key 'cam_D[" + std::to_string(i) + "]' = " + describe((*d)[i]) +
                                   " (expected a number)");
      }
      cam.distortion.push_back(v);
    }
  }
  cam.width = static_cast<int>(optional_number(k, "width", src, "").value_or(0));
  cam.height = static_cast<int>(optional_number(k, "height", src, "").value_or(0));
  // virtuallidar_to_camera is not orthonormal in the released data: no check.
  cam.lidar_to_camera = read_dair_rigid(extrinsic_file, false);
  return cam;
}

}  // namespace

const char* to_string(DairSide side) {
  return side == DairSide::kVehicle ? "vehicle" : "infrastructure";
}

Box7 DairObject::box7() const {
  if (!rotation) {
    throw FormatError("", "DAIR object of type '" + type +
                              "' has no 'rotation' (cooperative labels: use world_8_points)");
  }
  return Box7{location.x(), location.y(), location.z(), h, w, l, *rotation};
}

std::vector<DairObject> parse_dair_labels(const std::string& json_text, const std::string& source,
                                          DairLabelKind kind) {
  const json root = parse_json(json_text, source);
  const json& list = list_root(root, source);
  std::vector<DairObject> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i)
    out.push_back(parse_object(list[i], source, i, kind));
  return out;
}

std::vector<DairObject> read_dair_labels(const fs::path& path, DairLabelKind kind) {
  return parse_dair_labels(detail::read_file_bytes(path), path.string(), kind);
}

Eigen::Matrix4d read_dair_rigid(const fs::path& path, bool check_rotation) {
  return rigid_from_json(read_json(path), path.string(), check_rotation);
}

Eigen::Matrix4d DairCamera::camera_to_lidar() const {
  return rigid_inverse(lidar_to_camera);
}

DairPoints DairAgentFrame::read_points() const {
  const std::string src = pointcloud.string();
  const std::string bytes = detail::read_file_bytes(pointcloud);
  const PcdHeader header = parse_pcd_header(bytes, src);
  const PointCloud cloud = parse_pcd(bytes, src);
  DairPoints out;
  out.xyzi.resize(cloud.size(), 4);
  const char* names[4] = {"x", "y", "z", "intensity"};
  for (int c = 0; c < 4; ++c) {
    const std::ptrdiff_t k = cloud.column_index(names[c]);
    if (k < 0) {
      throw FormatError(src, std::string("no field '") + names[c] +
                                 "' (expected FIELDS x y z intensity [timestamp])");
    }
    out.xyzi.col(c) = cloud.points.col(k);
  }
  for (const PcdField& f : header.fields) {
    if (f.name == "intensity" && f.type == 'U') {
      out.intensity_full_scale = std::ldexp(1.0, 8 * f.size) - 1.0;
    } else if (f.name == "intensity" && f.type == 'I') {
      out.intensity_full_scale = std::ldexp(1.0, 8 * f.size - 1) - 1.0;
    } else if (f.name == "timestamp") {
      out.timestamp_s = parse_pcd_field_f64(bytes, "timestamp", src);
    }
  }
  return out;
}

std::vector<DairObject> DairAgentFrame::read_lidar_labels() const {
  return read_dair_labels(lidar_label, DairLabelKind::kSide);
}

std::vector<DairObject> DairAgentFrame::read_camera_labels() const {
  return read_dair_labels(camera_label, DairLabelKind::kSide);
}

Image8 DairAgentFrame::read_image() const {
  return read_jpeg_rgb(camera.image);
}

Eigen::Matrix4d DairPair::vehicle_from_infrastructure() const {
  return rigid_inverse(vehicle.lidar_to_world) * infrastructure.lidar_to_world;
}

std::vector<DairObject> DairPair::read_cooperative_labels() const {
  return read_dair_labels(info.cooperative_label, DairLabelKind::kCooperative);
}

DairV2xDataset::DairV2xDataset(const fs::path& root) : root_(root) {
  vehicle_ = read_side_infos(root_, DairSide::kVehicle);
  infrastructure_ = read_side_infos(root_, DairSide::kInfrastructure);
  const fs::path file = root_ / "cooperative" / "data_info.json";
  const std::string src = file.string();
  const json root_json = read_json(file);
  const json& list = list_root(root_json, src);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& e = list[i];
    const std::string where = "pair " + std::to_string(i) + ": ";
    if (!e.is_object())
      throw FormatError(src, where + "expected a JSON object, got " + describe(e));
    DairPairInfo p;
    p.vehicle_pointcloud = root_ / string_at(e, "vehicle_pointcloud_path", src, where);
    p.vehicle_image = root_ / string_at(e, "vehicle_image_path", src, where);
    p.infrastructure_pointcloud =
        root_ / string_at(e, "infrastructure_pointcloud_path", src, where);
    p.infrastructure_image = root_ / string_at(e, "infrastructure_image_path", src, where);
    p.cooperative_label = root_ / string_at(e, "cooperative_label_path", src, where);
    p.system_error_offset_x = number_at(e, "system_error_offset.delta_x", src, where);
    p.system_error_offset_y = number_at(e, "system_error_offset.delta_y", src, where);
    p.vehicle_frame_id = p.vehicle_pointcloud.stem().string();
    p.infrastructure_frame_id = p.infrastructure_pointcloud.stem().string();
    const auto v = vehicle_.find(p.vehicle_frame_id);
    if (v == vehicle_.end()) {
      throw FormatError(src, where + "vehicle frame '" + p.vehicle_frame_id +
                                 "' is not in vehicle-side/data_info.json");
    }
    if (infrastructure_.count(p.infrastructure_frame_id) == 0) {
      throw FormatError(src, where + "infrastructure frame '" + p.infrastructure_frame_id +
                                 "' is not in infrastructure-side/data_info.json");
    }
    p.vehicle_pointcloud_timestamp_us = v->second.pointcloud_timestamp_us;
    pairs_.push_back(std::move(p));
  }
  std::stable_sort(pairs_.begin(), pairs_.end(), [](const DairPairInfo& a, const DairPairInfo& b) {
    return std::make_pair(a.vehicle_pointcloud_timestamp_us, a.vehicle_frame_id) <
           std::make_pair(b.vehicle_pointcloud_timestamp_us, b.vehicle_frame_id);
  });
}

const DairPairInfo& DairV2xDataset::info(std::size_t index) const {
  if (index >= pairs_.size()) {
    throw std::out_of_range("DAIR pair index " + std::to_string(index) + " out of [0, " +
                            std::to_string(pairs_.size()) + ")");
  }
  return pairs_[index];
}

const DairSideInfo& DairV2xDataset::side_info(DairSide side, const std::string& frame_id) const {
  const auto& m = side == DairSide::kVehicle ? vehicle_ : infrastructure_;
  const auto it = m.find(frame_id);
  if (it == m.end()) {
    throw std::out_of_range(std::string("no ") + to_string(side) + " frame '" + frame_id + "'");
  }
  return it->second;
}

DairAgentFrame DairV2xDataset::load_side(DairSide side, const std::string& frame_id,
                                         const DairPairInfo& info) const {
  const DairSideInfo& s = side_info(side, frame_id);
  // A data_info key, or the conventional path calib/<kind>/<id>.json (as HEAL builds it).
  const auto file = [&](const std::string& key, const std::string& folder) {
    const auto it = s.files.find(key);
    if (it != s.files.end()) return it->second;
    return root_ / side_folder(side) / folder / (frame_id + ".json");
  };
  DairAgentFrame f;
  f.side = side;
  f.frame_id = frame_id;
  f.intersection_loc = s.intersection_loc;
  f.pointcloud_timestamp_us = s.pointcloud_timestamp_us;
  f.image_timestamp_us = s.image_timestamp_us;
  if (side == DairSide::kVehicle) {
    f.pointcloud = info.vehicle_pointcloud;
    f.lidar_label = file("label_lidar_std_path", "label/lidar");
    f.camera_label = file("label_camera_std_path", "label/camera");
    const Eigen::Matrix4d novatel_to_world =
        read_dair_rigid(file("calib_novatel_to_world_path", "calib/novatel_to_world"));
    const Eigen::Matrix4d lidar_to_novatel =
        read_dair_rigid(file("calib_lidar_to_novatel_path", "calib/lidar_to_novatel"));
    f.lidar_to_world = novatel_to_world * lidar_to_novatel;
    f.camera = read_camera(file("calib_camera_intrinsic_path", "calib/camera_intrinsic"),
                           file("calib_lidar_to_camera_path", "calib/lidar_to_camera"),
                           info.vehicle_image);
  } else {
    f.pointcloud = info.infrastructure_pointcloud;
    f.lidar_label = file("label_lidar_std_path", "label/virtuallidar");
    f.camera_label = file("label_camera_std_path", "label/camera");
    f.lidar_to_world =
        read_dair_rigid(file("calib_virtuallidar_to_world_path", "calib/virtuallidar_to_world"));
    f.lidar_to_world(0, 3) += info.system_error_offset_x;
    f.lidar_to_world(1, 3) += info.system_error_offset_y;
    f.camera =
        read_camera(file("calib_camera_intrinsic_path", "calib/camera_intrinsic"),
                    file("calib_virtuallidar_to_camera_path", "calib/virtuallidar_to_camera"),
                    info.infrastructure_image);
  }
  return f;
}

DairPair DairV2xDataset::pair(std::size_t index) const {
  DairPair p;
  p.index = index;
  p.info = info(index);
  p.vehicle = load_side(DairSide::kVehicle, p.info.vehicle_frame_id, p.info);
  p.infrastructure = load_side(DairSide::kInfrastructure, p.info.infrastructure_frame_id, p.info);
  return p;
}

}  // namespace concord::formats
