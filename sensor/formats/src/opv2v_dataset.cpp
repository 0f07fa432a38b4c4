#include "concord/formats/opv2v_dataset.hpp"

#include "concord/formats/error.hpp"
#include "concord/formats/pcd.hpp"
#include "concord/formats/png.hpp"
#include "concord/formats/pose.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <unordered_map>

namespace concord::formats {
namespace fs = std::filesystem;

namespace {

bool parse_id(const std::string& s, std::int64_t& out) {
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && !s.empty();
}

int beam_slot(int beams) {
  switch (beams) {
    case 64:
      return 0;
    case 32:
      return 1;
    case 16:
      return 2;
    default:
      throw std::invalid_argument("beam count must be 64, 32 or 16, got " + std::to_string(beams));
  }
}

std::string pcd_key(int beams) {
  return "pcd" + std::to_string(beams);
}

std::vector<std::string> sorted_subdirs(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  if (ec) throw FormatError(dir.string(), "cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// HEAL: the OPV2V_Hetero tree mirrors OPV2V with the path component renamed.
fs::path derive_hetero(const fs::path& root) {
  fs::path out;
  bool replaced = false;
  for (const auto& part : root) {
    if (!replaced && part == "OPV2V") {
      out /= "OPV2V_Hetero";
      replaced = true;
    } else {
      out /= part;
    }
  }
  return replaced ? out : fs::path();
}

}  // namespace

// ---------------------------------------------------------------- agent frame

Opv2vAgentFrame::Opv2vAgentFrame(std::string id, AgentFrameMeta meta,
                                 std::map<std::string, fs::path> files)
    : id_(std::move(id)), meta_(std::move(meta)), files_(std::move(files)) {}

fs::path Opv2vAgentFrame::file(const std::string& key) const {
  const auto it = files_.find(key);
  return it == files_.end() ? fs::path() : it->second;
}

bool Opv2vAgentFrame::has_points(int beams) const {
  beam_slot(beams);
  return files_.count(pcd_key(beams)) > 0;
}

fs::path Opv2vAgentFrame::points_path(int beams) const {
  beam_slot(beams);
  return file(pcd_key(beams));
}

const PointMatrix& Opv2vAgentFrame::points(int beams) const {
  const int slot = beam_slot(beams);
  auto& cached = cache_[static_cast<std::size_t>(slot)];
  if (!cached) {
    const fs::path p = file(pcd_key(beams));
    if (p.empty()) {
      throw FormatError(file("yaml").string(),
                        "no " + std::to_string(beams) + "-beam point cloud for agent " + id_ +
                            " (expected " +
                            (beams == 64 ? "{ts}.pcd" : "{ts}_" + std::to_string(beams) + ".pcd") +
                            " next to this YAML)");
    }
    cached = to_xyzi(read_pcd(p), p.string());
  }
  return *cached;
}

bool Opv2vAgentFrame::has_camera_image(int i) const {
  return files_.count("camera" + std::to_string(i)) > 0;
}

Image8 Opv2vAgentFrame::camera_image(int i) const {
  const fs::path p = file("camera" + std::to_string(i));
  if (p.empty()) {
    throw FormatError(file("yaml").string(),
                      "no camera" + std::to_string(i) + " image for agent " + id_);
  }
  return read_png_rgb(p);
}

bool Opv2vAgentFrame::has_depth_image(int i) const {
  return files_.count("depth" + std::to_string(i)) > 0;
}

DepthImage Opv2vAgentFrame::depth_image(int i) const {
  const fs::path p = file("depth" + std::to_string(i));
  if (p.empty()) {
    throw FormatError(file("yaml").string(),
                      "no depth" + std::to_string(i) + " image for agent " + id_);
  }
  return read_depth_png(p);
}

bool Opv2vAgentFrame::has_bev_visibility() const {
  return files_.count("bev_visibility") > 0;
}

Image8 Opv2vAgentFrame::bev_visibility() const {
  const fs::path p = file("bev_visibility");
  if (p.empty()) throw FormatError(file("yaml").string(), "no bev_visibility.png for agent " + id_);
  return read_png_rgb(p);
}

Eigen::Matrix4d Opv2vAgentFrame::camera_to_lidar(int i) const {
  const auto it = meta_.cameras.find(i);
  if (it == meta_.cameras.end()) {
    throw FormatError(file("yaml").string(), "camera" + std::to_string(i) + ": missing");
  }
  return camera_to_lidar_opencv(it->second.cords, meta_.lidar_pose);
}

Eigen::Matrix3d Opv2vAgentFrame::camera_intrinsic(int i) const {
  const auto it = meta_.cameras.find(i);
  if (it == meta_.cameras.end()) {
    throw FormatError(file("yaml").string(), "camera" + std::to_string(i) + ": missing");
  }
  return it->second.intrinsic;
}

// ---------------------------------------------------------------------- frame

Opv2vFrame::Opv2vFrame(std::string scenario, std::string timestamp,
                       std::vector<Opv2vAgentFrame> agents)
    : scenario_(std::move(scenario)), timestamp_(std::move(timestamp)), agents_(std::move(agents)) {
  if (agents_.empty()) throw std::invalid_argument("Opv2vFrame needs at least one agent");
}

const Opv2vAgentFrame& Opv2vFrame::agent(const std::string& id) const {
  for (const auto& a : agents_) {
    if (a.id() == id) return a;
  }
  throw std::out_of_range("frame " + scenario_ + "/" + timestamp_ + " has no agent '" + id + "'");
}

Eigen::Matrix4d Opv2vFrame::transform(const std::string& from, const std::string& to) const {
  return x1_to_x2(agent(from).lidar_pose(), agent(to).lidar_pose());
}

std::vector<FrameObject> Opv2vFrame::objects_in(const std::string& agent_id, const Range6& range,
                                                bool exclude_cavs) const {
  const Pose6& ref = agent(agent_id).lidar_pose();
  std::vector<std::int64_t> cav_ids;
  for (const auto& a : agents_) {
    std::int64_t v = 0;
    if (parse_id(a.id(), v)) cav_ids.push_back(v);
  }
  std::vector<FrameObject> out;
  std::unordered_map<std::int64_t, std::size_t> slot;
  for (const auto& a : agents_) {
    for (const auto& [id, obj] : a.meta().vehicles) {
      if (exclude_cavs && std::find(cav_ids.begin(), cav_ids.end(), id) != cav_ids.end()) continue;
      FrameObject fo;
      fo.id = id;
      fo.corners = object_corners(obj, ref);
      fo.box = corners_to_box7(fo.corners);
      if (!box_in_range(fo.box, range, 8)) continue;
      const auto it = slot.find(id);
      if (it == slot.end()) {
        slot.emplace(id, out.size());
        out.push_back(fo);
      } else {
        out[it->second] = fo;
      }
    }
  }
  return out;
}

PointMatrix Opv2vFrame::points_in(const std::string& source, const std::string& target, int beams,
                                  bool drop_ego) const {
  const Opv2vAgentFrame& src = agent(source);
  const PointMatrix raw = drop_ego ? remove_ego_points(src.points(beams)) : src.points(beams);
  const Eigen::Matrix4d t = transform(source, target);
  const Eigen::Matrix3f r = t.topLeftCorner<3, 3>().cast<float>();
  const Eigen::RowVector3f tr = t.topRightCorner<3, 1>().transpose().cast<float>();
  PointMatrix out = raw;
  out.leftCols(3) = (raw.leftCols(3) * r.transpose()).rowwise() + tr;
  return out;
}

// -------------------------------------------------------------------- dataset

Opv2vDataset::Opv2vDataset(const fs::path& root, const std::string& split,
                           Opv2vDatasetOptions options)
    : root_(root), split_(split), split_dir_(root / split) {
  if (!fs::is_directory(split_dir_)) {
    throw FormatError(split_dir_.string(),
                      "dataset split folder not found (expected {root}/{split})");
  }
  fs::path hetero = options.hetero_root.empty() ? derive_hetero(root) : options.hetero_root;
  if (!hetero.empty()) hetero_split_dir_ = hetero / split;
  additional_split_dir_ =
      (options.additional_root.empty() ? root / "additional" : options.additional_root) / split;

  for (const std::string& name : sorted_subdirs(split_dir_)) {
    if (name == "additional") continue;
    const fs::path sdir = split_dir_ / name;
    Scenario sc;
    std::vector<std::string> neg;
    for (const std::string& cav : sorted_subdirs(sdir)) {
      std::int64_t v = 0;
      if (!parse_id(cav, v)) continue;
      (v < 0 ? neg : sc.agents).push_back(cav);
    }
    sc.agents.insert(sc.agents.end(), neg.begin(), neg.end());
    if (sc.agents.empty()) {
      throw FormatError(sdir.string(),
                        "scenario has no agent folders (expected integer-named cav folders)");
    }
    const fs::path edir = sdir / sc.agents.front();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(edir, ec)) {
      const std::string fname = e.path().filename().string();
      if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
      if (fname.find("additional") != std::string::npos) continue;
      sc.timestamps.push_back(e.path().stem().string());
    }
    if (ec) throw FormatError(edir.string(), "cannot list folder: " + ec.message());
    std::sort(sc.timestamps.begin(), sc.timestamps.end());
    if (sc.timestamps.empty()) {
      throw FormatError(edir.string(), "ego agent folder has no {ts}.yaml files");
    }
    for (const auto& ts : sc.timestamps) index_.emplace_back(name, ts);
    scenario_names_.push_back(name);
    scenarios_.emplace(name, std::move(sc));
  }
  if (scenario_names_.empty()) {
    throw FormatError(split_dir_.string(), "no scenario folders in dataset split");
  }
}

const Opv2vDataset::Scenario& Opv2vDataset::scenario(const std::string& name) const {
  const auto it = scenarios_.find(name);
  if (it == scenarios_.end())
    throw std::out_of_range("no scenario '" + name + "' in " + split_dir_.string());
  return it->second;
}

const std::vector<std::string>& Opv2vDataset::agents(const std::string& s) const {
  return scenario(s).agents;
}

const std::vector<std::string>& Opv2vDataset::timestamps(const std::string& s) const {
  return scenario(s).timestamps;
}

const std::pair<std::string, std::string>& Opv2vDataset::frame_key(std::size_t index) const {
  if (index >= index_.size()) {
    throw std::out_of_range("frame index " + std::to_string(index) + " >= dataset size " +
                            std::to_string(index_.size()));
  }
  return index_[index];
}

Opv2vFrame Opv2vDataset::frame(std::size_t index) const {
  const auto& key = frame_key(index);
  return frame(key.first, key.second);
}

Opv2vFrame Opv2vDataset::frame(const std::string& scenario_name, const std::string& ts) const {
  const Scenario& sc = scenario(scenario_name);
  std::vector<Opv2vAgentFrame> agents;
  for (const std::string& cav : sc.agents) {
    const fs::path dir = split_dir_ / scenario_name / cav;
    const fs::path yaml = dir / (ts + ".yaml");
    if (!fs::is_regular_file(yaml)) {
      throw FormatError(yaml.string(), "missing (expected one YAML per agent and timestamp)");
    }
    std::map<std::string, fs::path> files;
    files["yaml"] = yaml;
    const fs::path hdir =
        hetero_split_dir_.empty() ? fs::path() : hetero_split_dir_ / scenario_name / cav;
    auto find = [&](const std::string& key, const std::string& name, const fs::path& alt_dir) {
      const fs::path p = dir / name;
      if (fs::is_regular_file(p)) {
        files[key] = p;
      } else if (!alt_dir.empty() && fs::is_regular_file(alt_dir / name)) {
        files[key] = alt_dir / name;
      }
    };
    find("pcd64", ts + ".pcd", fs::path());
    find("pcd32", ts + "_32.pcd", hdir);
    find("pcd16", ts + "_16.pcd", hdir);
    for (int i = 0; i < 4; ++i) {
      find("camera" + std::to_string(i), ts + "_camera" + std::to_string(i) + ".png", fs::path());
      find("depth" + std::to_string(i), ts + "_depth" + std::to_string(i) + ".png", hdir);
    }
    find("bev_visibility", ts + "_bev_visibility.png", additional_split_dir_ / scenario_name / cav);
    agents.emplace_back(cav, read_agent_yaml(yaml), std::move(files));
  }
  return Opv2vFrame(scenario_name, ts, std::move(agents));
}

std::optional<DataProtocol> Opv2vDataset::data_protocol(const std::string& s) const {
  scenario(s);
  const fs::path p = split_dir_ / s / "data_protocol.yaml";
  if (!fs::is_regular_file(p)) return std::nullopt;
  return read_data_protocol(p);
}

}  // namespace concord::formats
