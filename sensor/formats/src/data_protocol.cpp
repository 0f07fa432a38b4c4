#include "concord/formats/data_protocol.hpp"

#include "concord/formats/error.hpp"
#include "file_io.hpp"
#include "yaml_util.hpp"

namespace concord::formats {
namespace {

template <typename T>
void read_key(const YAML::Node& root, const char* key, T& out, const std::string& src) {
  const YAML::Node n = root[key];
  if (!n || n.IsNull()) return;
  try {
    out = n.as<T>();
  } catch (const YAML::Exception&) {
    throw FormatError(src, std::string(key) + ": value of the wrong type");
  }
}

}  // namespace

bool DataProtocol::operator==(const DataProtocol& o) const {
  return dataset == o.dataset && version == o.version && town == o.town &&
         frame_rate_hz == o.frame_rate_hz && lidar_beams == o.lidar_beams &&
         lidar_range_m == o.lidar_range_m && num_cameras == o.num_cameras &&
         image_width == o.image_width && image_height == o.image_height &&
         has_depth == o.has_depth && depth_encoding == o.depth_encoding && seed == o.seed;
}

DataProtocol parse_data_protocol(const std::string& text, const std::string& src) {
  const YAML::Node root = detail::load_yaml_text(text, src);
  DataProtocol p;
  if (!root || root.IsNull()) return p;
  if (!root.IsMap()) throw FormatError(src, "expected a YAML mapping at top level");
  read_key(root, "dataset", p.dataset, src);
  read_key(root, "version", p.version, src);
  read_key(root, "town", p.town, src);
  read_key(root, "frame_rate_hz", p.frame_rate_hz, src);
  read_key(root, "lidar_beams", p.lidar_beams, src);
  read_key(root, "lidar_range_m", p.lidar_range_m, src);
  read_key(root, "num_cameras", p.num_cameras, src);
  read_key(root, "image_width", p.image_width, src);
  read_key(root, "image_height", p.image_height, src);
  read_key(root, "has_depth", p.has_depth, src);
  read_key(root, "depth_encoding", p.depth_encoding, src);
  read_key(root, "seed", p.seed, src);
  return p;
}

DataProtocol read_data_protocol(const std::filesystem::path& path) {
  return parse_data_protocol(detail::read_file_bytes(path), path.string());
}

std::string emit_data_protocol(const DataProtocol& p) {
  YAML::Emitter out;
  detail::configure_emitter(out);
  out << YAML::BeginMap;
  out << YAML::Key << "dataset" << YAML::Value << p.dataset;
  out << YAML::Key << "version" << YAML::Value << p.version;
  out << YAML::Key << "town" << YAML::Value << p.town;
  out << YAML::Key << "frame_rate_hz" << YAML::Value << p.frame_rate_hz;
  out << YAML::Key << "lidar_beams" << YAML::Value << YAML::Flow << p.lidar_beams;
  out << YAML::Key << "lidar_range_m" << YAML::Value << p.lidar_range_m;
  out << YAML::Key << "num_cameras" << YAML::Value << p.num_cameras;
  out << YAML::Key << "image_width" << YAML::Value << p.image_width;
  out << YAML::Key << "image_height" << YAML::Value << p.image_height;
  out << YAML::Key << "has_depth" << YAML::Value << p.has_depth;
  out << YAML::Key << "depth_encoding" << YAML::Value << p.depth_encoding;
  out << YAML::Key << "seed" << YAML::Value << p.seed;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void write_data_protocol(const std::filesystem::path& path, const DataProtocol& p) {
  detail::write_file_bytes(path, emit_data_protocol(p));
}

}  // namespace concord::formats
