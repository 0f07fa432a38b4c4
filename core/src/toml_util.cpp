#include "toml_util.hpp"

#include <sstream>

namespace concord::detail {

toml::table parse_toml_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    throw ConfigError(path.string() + ": file not found");
  }
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    SourcePos pos{path, static_cast<int>(e.source().begin.line),
                  static_cast<int>(e.source().begin.column)};
    throw ConfigError(pos.str() + ": TOML syntax error: " + std::string(e.description()));
  }
}

SourcePos pos_of(const std::filesystem::path& file, const toml::node& node) {
  return SourcePos{file, static_cast<int>(node.source().begin.line),
                   static_cast<int>(node.source().begin.column)};
}

std::optional<ParamValue> to_param_value(const toml::node& node) {
  if (auto v = node.as_integer()) return ParamValue(v->get());
  if (auto v = node.as_floating_point()) return ParamValue(v->get());
  if (auto v = node.as_boolean()) return ParamValue(v->get());
  if (auto v = node.as_string()) return ParamValue(v->get());
  if (auto arr = node.as_array()) {
    bool all_int = true;
    bool all_num = true;
    for (const auto& el : *arr) {
      all_int = all_int && el.is_integer();
      all_num = all_num && (el.is_integer() || el.is_floating_point());
    }
    if (arr->empty() || all_int) {
      std::vector<int64_t> out;
      for (const auto& el : *arr) out.push_back(el.as_integer()->get());
      return ParamValue(out);
    }
    if (all_num) {
      std::vector<double> out;
      for (const auto& el : *arr) {
        out.push_back(el.is_integer() ? static_cast<double>(el.as_integer()->get())
                                      : el.as_floating_point()->get());
      }
      return ParamValue(out);
    }
  }
  return std::nullopt;
}

void fail_at(const SourcePos& pos, const std::string& message) {
  throw ConfigError(pos.str() + ": " + message);
}

std::string toml_type_name(const toml::node& node) {
  std::ostringstream os;
  os << node.type();
  return os.str();
}

}  // namespace concord::detail

namespace concord {

std::string SourcePos::str() const {
  if (line <= 0) return file.string();
  return file.string() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace concord
