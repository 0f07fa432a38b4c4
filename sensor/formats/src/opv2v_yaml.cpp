#include "concord/formats/opv2v_yaml.hpp"

#include "concord/formats/error.hpp"
#include "file_io.hpp"
#include "yaml_util.hpp"

namespace concord::formats {
namespace {

using detail::as_array;
using detail::as_double;

Pose6 read_pose(const YAML::Node& n, const std::string& key, const std::string& src) {
  return Pose6::from_list(as_array<6>(n, key, src));
}

template <int R, int C>
Eigen::Matrix<double, R, C> read_matrix(const YAML::Node& n, const std::string& key,
                                        const std::string& src) {
  const std::string what =
      key + ": expected a " + std::to_string(R) + "x" + std::to_string(C) + " nested list";
  if (!n || !n.IsSequence() || n.size() != static_cast<std::size_t>(R))
    throw FormatError(src, what);
  Eigen::Matrix<double, R, C> m;
  for (int r = 0; r < R; ++r) {
    const YAML::Node row = n[static_cast<std::size_t>(r)];
    if (!row.IsSequence() || row.size() != static_cast<std::size_t>(C))
      throw FormatError(src, what);
    for (int c = 0; c < C; ++c) m(r, c) = as_double(row[static_cast<std::size_t>(c)], key, src);
  }
  return m;
}

void emit_list(YAML::Emitter& out, const double* v, std::size_t n) {
  out << YAML::BeginSeq;
  for (std::size_t i = 0; i < n; ++i) out << v[i];
  out << YAML::EndSeq;
}

template <std::size_t N>
void emit_list(YAML::Emitter& out, const std::array<double, N>& v) {
  emit_list(out, v.data(), N);
}

template <typename M>
void emit_matrix(YAML::Emitter& out, const M& m) {
  out << YAML::BeginSeq;
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    out << YAML::BeginSeq;
    for (Eigen::Index c = 0; c < m.cols(); ++c) out << m(r, c);
    out << YAML::EndSeq;
  }
  out << YAML::EndSeq;
}

}  // namespace

AgentFrameMeta parse_agent_yaml(const std::string& text, const std::string& src) {
  const YAML::Node root = detail::load_yaml_text(text, src);
  if (!root.IsMap()) throw FormatError(src, "expected a YAML mapping at top level");
  AgentFrameMeta m;
  if (!root["lidar_pose"])
    throw FormatError(src, "lidar_pose: missing (expected a list of 6 numbers)");
  m.lidar_pose = read_pose(root["lidar_pose"], "lidar_pose", src);
  m.true_ego_pos =
      root["true_ego_pos"] ? read_pose(root["true_ego_pos"], "true_ego_pos", src) : m.lidar_pose;
  if (root["predicted_ego_pos"] && !root["predicted_ego_pos"].IsNull()) {
    m.predicted_ego_pos = read_pose(root["predicted_ego_pos"], "predicted_ego_pos", src);
  }
  if (root["ego_speed"] && !root["ego_speed"].IsNull()) {
    m.ego_speed = as_double(root["ego_speed"], "ego_speed", src);
  }
  for (int i = 0; i < 16; ++i) {
    const std::string key = "camera" + std::to_string(i);
    const YAML::Node cam = root[key];
    if (!cam || cam.IsNull()) continue;
    if (!cam.IsMap()) throw FormatError(src, key + ": expected a mapping");
    CameraMeta c;
    c.cords = read_pose(cam["cords"], key + ".cords", src);
    if (cam["extrinsic"])
      c.extrinsic = read_matrix<4, 4>(cam["extrinsic"], key + ".extrinsic", src);
    if (cam["intrinsic"])
      c.intrinsic = read_matrix<3, 3>(cam["intrinsic"], key + ".intrinsic", src);
    m.cameras[i] = c;
  }
  const YAML::Node veh = root["vehicles"];
  if (veh && !veh.IsNull()) {
    if (!veh.IsMap()) throw FormatError(src, "vehicles: expected a mapping id -> object");
    for (const auto& kv : veh) {
      std::int64_t id = 0;
      try {
        id = kv.first.as<std::int64_t>();
      } catch (const YAML::Exception&) {
        throw FormatError(src, "vehicles: expected integer ids, got '" + kv.first.Scalar() + "'");
      }
      const std::string key = "vehicles." + std::to_string(id);
      const YAML::Node& o = kv.second;
      if (!o.IsMap()) throw FormatError(src, key + ": expected a mapping");
      ObjectAnnotation a;
      a.location = as_array<3>(o["location"], key + ".location", src);
      a.center = o["center"] ? as_array<3>(o["center"], key + ".center", src)
                             : std::array<double, 3>{0, 0, 0};
      a.extent = as_array<3>(o["extent"], key + ".extent", src);
      a.angle = as_array<3>(o["angle"], key + ".angle", src);
      if (o["speed"] && !o["speed"].IsNull()) a.speed = as_double(o["speed"], key + ".speed", src);
      m.vehicles[id] = a;
    }
  }
  return m;
}

AgentFrameMeta read_agent_yaml(const std::filesystem::path& path) {
  return parse_agent_yaml(detail::read_file_bytes(path), path.string());
}

std::string emit_agent_yaml(const AgentFrameMeta& m) {
  YAML::Emitter out;
  detail::configure_emitter(out);
  out << YAML::BeginMap;
  for (const auto& [i, c] : m.cameras) {
    out << YAML::Key << ("camera" + std::to_string(i)) << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "cords" << YAML::Value;
    emit_list(out, c.cords.to_list());
    out << YAML::Key << "extrinsic" << YAML::Value;
    emit_matrix(out, c.extrinsic);
    out << YAML::Key << "intrinsic" << YAML::Value;
    emit_matrix(out, c.intrinsic);
    out << YAML::EndMap;
  }
  out << YAML::Key << "ego_speed" << YAML::Value << m.ego_speed;
  out << YAML::Key << "lidar_pose" << YAML::Value;
  emit_list(out, m.lidar_pose.to_list());
  if (m.predicted_ego_pos) {
    out << YAML::Key << "predicted_ego_pos" << YAML::Value;
    emit_list(out, m.predicted_ego_pos->to_list());
  }
  out << YAML::Key << "true_ego_pos" << YAML::Value;
  emit_list(out, m.true_ego_pos.to_list());
  out << YAML::Key << "vehicles" << YAML::Value;
  if (m.vehicles.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  } else {
    out << YAML::BeginMap;
    for (const auto& [id, a] : m.vehicles) {
      out << YAML::Key << id << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "angle" << YAML::Value;
      emit_list(out, a.angle);
      out << YAML::Key << "center" << YAML::Value;
      emit_list(out, a.center);
      out << YAML::Key << "extent" << YAML::Value;
      emit_list(out, a.extent);
      out << YAML::Key << "location" << YAML::Value;
      emit_list(out, a.location);
      out << YAML::Key << "speed" << YAML::Value << a.speed;
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void write_agent_yaml(const std::filesystem::path& path, const AgentFrameMeta& meta) {
  detail::write_file_bytes(path, emit_agent_yaml(meta));
}

}  // namespace concord::formats
