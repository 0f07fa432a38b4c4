#include "dair_fixture.hpp"

#include <lzf.h>
#include <stb_image_write.h>
#include <Eigen/Geometry>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace concord::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

template <typename T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

Eigen::Matrix4d pose(double yaw_deg, double x, double y, double z) {
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  m.topLeftCorner<3, 3>() =
      Eigen::AngleAxisd(yaw_deg * M_PI / 180.0, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  m.topRightCorner<3, 1>() = Eigen::Vector3d(x, y, z);
  return m;
}

json rigid_json(const Eigen::Matrix4d& m) {
  json rot = json::array(), tr = json::array();
  for (int r = 0; r < 3; ++r) {
    rot.push_back({m(r, 0), m(r, 1), m(r, 2)});
    tr.push_back({m(r, 3)});
  }
  return {{"rotation", rot}, {"translation", tr}};
}

json intrinsic_json() {
  return {{"cam_K", {40.0, 0.0, 16.0, 0.0, 40.0, 12.0, 0.0, 0.0, 1.0}},
          {"cam_D", {-0.1, 0.01, 0.0, 0.0, 0.0}}};
}

// Object in the label frame T (frame<-world applied to the world box).
json side_label(const formats::Box7& world, const Eigen::Matrix4d& world_to_frame, bool strings) {
  const Eigen::Vector4d c = world_to_frame * Eigen::Vector4d(world.x, world.y, world.z, 1.0);
  const double yaw = world.yaw + std::atan2(world_to_frame(1, 0), world_to_frame(0, 0));
  auto num = [&](double v) -> json { return strings ? json(std::to_string(v)) : json(v); };
  return {{"type", "Car"},
          {"truncated_state", strings ? json("0") : json(0)},
          {"occluded_state", strings ? json("1") : json(1)},
          {"alpha", num(0.0)},
          {"2d_box", {{"xmin", 1.0}, {"ymin", 2.0}, {"xmax", 3.0}, {"ymax", 4.0}}},
          {"3d_dimensions", {{"h", world.h}, {"w", world.w}, {"l", world.l}}},
          {"3d_location", {{"x", num(c.x())}, {"y", num(c.y())}, {"z", num(c.z())}}},
          {"rotation", yaw}};
}

// Points on a grid strictly inside `box` (hwl, frame of the box), 3 x 3 x 3 = 27.
std::vector<Eigen::Vector3d> inside_points(const formats::Box7& b) {
  std::vector<Eigen::Vector3d> out;
  const double c = std::cos(b.yaw), s = std::sin(b.yaw);
  for (double u : {-0.3, 0.0, 0.3}) {
    for (double v : {-0.3, 0.0, 0.3}) {
      for (double w : {-0.3, 0.0, 0.3}) {
        const double lx = u * b.l, ly = v * b.w;
        out.emplace_back(b.x + c * lx - s * ly, b.y + s * lx + c * ly, b.z + w * b.h);
      }
    }
  }
  return out;
}

}  // namespace

fs::path dair_example_root(std::string* tried) {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("CONCORD_DAIR_ROOT"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  }
  candidates.emplace_back("../shared/data/dair-v2x-c-example");
#ifdef CONCORD_DAIR_DEFAULT_ROOT
  candidates.emplace_back(CONCORD_DAIR_DEFAULT_ROOT);
#endif
  std::string list;
  for (const auto& c : candidates) {
    list += (list.empty() ? "" : ", ") + c.string();
    std::error_code ec;
    if (fs::is_directory(c / "cooperative", ec)) return c;
  }
  if (tried != nullptr) *tried = list;
  return {};
}

std::string encode_dair_pcd(const Eigen::MatrixXd& xyzi, const std::vector<double>& timestamps) {
  const bool vehicle = !timestamps.empty();
  const auto n = static_cast<std::size_t>(xyzi.rows());
  std::string raw;  // column-major field blocks
  for (int c = 0; c < 3; ++c) {
    for (std::size_t i = 0; i < n; ++i)
      put(raw, static_cast<float>(xyzi(static_cast<Eigen::Index>(i), c)));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double v = xyzi(static_cast<Eigen::Index>(i), 3);
    if (vehicle) {
      put(raw, static_cast<std::uint8_t>(v));
    } else {
      put(raw, static_cast<float>(v));
    }
  }
  if (vehicle) {
    for (std::size_t i = 0; i < n; ++i) put(raw, timestamps[i]);
  }
  std::string comp(raw.size() * 2 + 64, '\0');
  const unsigned csize = lzf_compress(raw.data(), static_cast<unsigned>(raw.size()), comp.data(),
                                      static_cast<unsigned>(comp.size()));
  if (csize == 0 && !raw.empty()) throw std::runtime_error("lzf_compress failed");
  std::string file = "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\n";
  file += vehicle ? "FIELDS x y z intensity timestamp\nSIZE 4 4 4 1 8\nTYPE F F F U F\n"
                    "COUNT 1 1 1 1 1\n"
                  : "FIELDS x y z intensity\nSIZE 4 4 4 4\nTYPE F F F F\nCOUNT 1 1 1 1\n";
  file += "WIDTH " + std::to_string(n) + "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " +
          std::to_string(n) + "\nDATA binary_compressed\n";
  put(file, static_cast<std::uint32_t>(csize));
  put(file, static_cast<std::uint32_t>(raw.size()));
  file.append(comp.data(), csize);
  return file;
}

TinyDair write_tiny_dair(const fs::path& root, int pairs) {
  fs::remove_all(root);
  TinyDair t;
  t.root = root;
  // Objects (world, hwl): a car 12 m ahead of the first vehicle pose and one near the RSU.
  t.world_boxes = {formats::Box7{112.0, 204.0, 9.5, 1.5, 2.0, 4.0, 0.3},
                   formats::Box7{128.0, 185.0, 9.8, 1.6, 1.9, 4.4, -1.2}};
  const Eigen::Matrix4d lidar_to_novatel = pose(90.0, 0.0, 0.2, 0.3);
  const Eigen::Matrix4d virtuallidar_to_world = pose(-45.0, 130.0, 190.0, 15.0);
  t.rsu_lidar_to_world = virtuallidar_to_world;
  t.rsu_lidar_to_world(0, 3) += t.offset_x;
  t.rsu_lidar_to_world(1, 3) += t.offset_y;
  json coop = json::array(), veh = json::array(), inf = json::array();
  const std::int64_t t0 = 1626240241604435;
  for (int k = 0; k < pairs; ++k) {
    char vid[16], rid[16];
    std::snprintf(vid, sizeof(vid), "%06d", 15372 + k);
    std::snprintf(rid, sizeof(rid), "%06d", 16 + k);
    t.vehicle_ids.emplace_back(vid);
    t.rsu_ids.emplace_back(rid);
    const Eigen::Matrix4d novatel_to_world = pose(30.0, 100.0 + 2.0 * k, 200.0, 10.0);
    const Eigen::Matrix4d veh_l2w = novatel_to_world * lidar_to_novatel;
    if (k == 0) t.vehicle_lidar_to_world = veh_l2w;
    const std::int64_t ts = t0 + 100000 * k;
    const fs::path vs = root / "vehicle-side", is = root / "infrastructure-side";
    // Calibrations: lidar_to_novatel wrapped in "transform", as the real files.
    write_text(vs / "calib/novatel_to_world" / (std::string(vid) + ".json"),
               rigid_json(novatel_to_world).dump());
    write_text(vs / "calib/lidar_to_novatel" / (std::string(vid) + ".json"),
               json{{"frame", "ENU"}, {"transform", rigid_json(lidar_to_novatel)}}.dump());
    write_text(vs / "calib/lidar_to_camera" / (std::string(vid) + ".json"),
               rigid_json(pose(0, 0.1, -0.2, 0.3)).dump());
    write_text(vs / "calib/camera_intrinsic" / (std::string(vid) + ".json"),
               intrinsic_json().dump());
    write_text(is / "calib/virtuallidar_to_world" / (std::string(rid) + ".json"),
               rigid_json(virtuallidar_to_world).dump());
    write_text(is / "calib/virtuallidar_to_camera" / (std::string(rid) + ".json"),
               rigid_json(pose(10, 1, 2, 3)).dump());
    json intr = intrinsic_json();
    intr["width"] = 32;
    intr["height"] = 24;
    write_text(is / "calib/camera_intrinsic" / (std::string(rid) + ".json"), intr.dump());
    // Points: 27 inside each box (both sides), plus one far point; vehicle timestamps exact.
    const Eigen::Matrix4d veh_w2l = veh_l2w.inverse(), rsu_w2l = t.rsu_lidar_to_world.inverse();
    std::vector<Eigen::Vector3d> world_pts;
    for (const auto& b : t.world_boxes) {
      for (const auto& p : inside_points(b)) world_pts.push_back(p);
    }
    world_pts.emplace_back(300.0, 300.0, 10.0);
    Eigen::MatrixXd vx(static_cast<Eigen::Index>(world_pts.size()), 4), rx = vx;
    std::vector<double> stamps;
    for (std::size_t i = 0; i < world_pts.size(); ++i) {
      const Eigen::Vector4d w(world_pts[i].x(), world_pts[i].y(), world_pts[i].z(), 1.0);
      const auto r = static_cast<Eigen::Index>(i);
      vx.row(r) << (veh_w2l * w).head<3>().transpose(), static_cast<double>(i % 256);
      rx.row(r) << (rsu_w2l * w).head<3>().transpose(), 0.5;
      stamps.push_back(1626240241.604435 + 1e-6 * static_cast<double>(i));
    }
    write_text(vs / "velodyne" / (std::string(vid) + ".pcd"), encode_dair_pcd(vx, stamps));
    write_text(is / "velodyne" / (std::string(rid) + ".pcd"), encode_dair_pcd(rx, {}));
    // Labels: per side in its LiDAR frame (RSU numbers as strings), cooperative in world.
    json vl = json::array(), il = json::array(), cl = json::array();
    for (const auto& b : t.world_boxes) {
      vl.push_back(side_label(b, veh_w2l, false));
      il.push_back(side_label(b, rsu_w2l, true));
      json c = side_label(b, Eigen::Matrix4d::Identity(), false);
      c["type"] = "car";
      c.erase("rotation");  // often absent in cooperative labels
      const formats::Corners8 corners = formats::box7_to_corners(b);
      json pts = json::array();
      for (int r = 0; r < 8; ++r) pts.push_back({corners(r, 0), corners(r, 1), corners(r, 2)});
      c["world_8_points"] = pts;
      cl.push_back(c);
    }
    for (const char* kind : {"lidar", "camera"}) {
      write_text(vs / "label" / kind / (std::string(vid) + ".json"), vl.dump());
    }
    for (const char* kind : {"virtuallidar", "camera"}) {
      write_text(is / "label" / kind / (std::string(rid) + ".json"), il.dump());
    }
    write_text(root / "cooperative/label_world" / (std::string(vid) + ".json"), cl.dump());
    // Images: 32 x 24 gray JPEGs.
    std::vector<unsigned char> px(32 * 24 * 3, 128);
    for (const fs::path& img :
         {vs / "image" / (std::string(vid) + ".jpg"), is / "image" / (std::string(rid) + ".jpg")}) {
      fs::create_directories(img.parent_path());
      if (stbi_write_jpg(img.string().c_str(), 32, 24, 3, px.data(), 90) == 0) {
        throw std::runtime_error("cannot write " + img.string());
      }
    }
    const std::string v = vid, r = rid;
    veh.push_back({{"image_path", "image/" + v + ".jpg"},
                   {"image_timestamp", std::to_string(ts + 1000)},
                   {"pointcloud_path", "velodyne/" + v + ".pcd"},
                   {"pointcloud_timestamp", std::to_string(ts)},
                   {"calib_novatel_to_world_path", "calib/novatel_to_world/" + v + ".json"},
                   {"calib_lidar_to_novatel_path", "calib/lidar_to_novatel/" + v + ".json"},
                   {"calib_lidar_to_camera_path", "calib/lidar_to_camera/" + v + ".json"},
                   {"calib_camera_intrinsic_path", "calib/camera_intrinsic/" + v + ".json"},
                   {"label_camera_std_path", "label/camera/" + v + ".json"},
                   {"label_lidar_std_path", "label/lidar/" + v + ".json"},
                   {"intersection_loc", "tiny01"}});
    inf.push_back(
        {{"pointcloud_path", "velodyne/" + r + ".pcd"},
         {"pointcloud_timestamp", std::to_string(ts + 20000)},
         {"image_path", "image/" + r + ".jpg"},
         {"image_timestamp", std::to_string(ts + 21000)},
         {"calib_camera_intrinsic_path", "calib/camera_intrinsic/" + r + ".json"},
         {"calib_virtuallidar_to_world_path", "calib/virtuallidar_to_world/" + r + ".json"},
         {"calib_virtuallidar_to_camera_path", "calib/virtuallidar_to_camera/" + r + ".json"},
         {"label_lidar_std_path", "label/virtuallidar/" + r + ".json"},
         {"label_camera_std_path", "label/camera/" + r + ".json"},
         {"intersection_loc", "tiny01"}});
    coop.insert(
        coop.begin(),  // reverse time order on purpose
        json{{"infrastructure_image_path", "infrastructure-side/image/" + r + ".jpg"},
             {"infrastructure_pointcloud_path", "infrastructure-side/velodyne/" + r + ".pcd"},
             {"vehicle_image_path", "vehicle-side/image/" + v + ".jpg"},
             {"vehicle_pointcloud_path", "vehicle-side/velodyne/" + v + ".pcd"},
             {"cooperative_label_path", "cooperative/label_world/" + v + ".json"},
             {"system_error_offset", {{"delta_x", t.offset_x}, {"delta_y", t.offset_y}}}});
  }
  write_text(root / "cooperative/data_info.json", coop.dump(1));
  write_text(root / "vehicle-side/data_info.json", veh.dump(1));
  write_text(root / "infrastructure-side/data_info.json", inf.dump(1));
  return t;
}

}  // namespace concord::test
