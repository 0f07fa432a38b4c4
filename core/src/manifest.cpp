#include "concord/manifest.hpp"

#include <algorithm>
#include <set>

#include "concord/error.hpp"
#include "toml_util.hpp"

namespace concord {

using detail::fail_at;
using detail::pos_of;

const std::vector<std::string>& known_kinds() {
  static const std::vector<std::string> kinds = {"encoder",   "sender", "receiver", "negotiator",
                                                 "alignment", "fusion", "head"};
  return kinds;
}

const FactoryManifest* PluginManifest::find(const std::string& kind, const std::string& name,
                                            int version) const {
  const FactoryManifest* best = nullptr;
  for (const auto& f : factories) {
    if (f.kind != kind || f.name != name) continue;
    if (version >= 0 && f.version != version) continue;
    if (!best || f.version > best->version) best = &f;
  }
  return best;
}

namespace {

void check_keys(const std::filesystem::path& file, const toml::table& table,
                const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [key, node] : table) {
    if (!allowed.count(std::string(key.str()))) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail_at(pos_of(file, node), "unknown key '" + std::string(key.str()) + "' in " + where +
                                      " (expected one of: " + list + ")");
    }
  }
}

std::string require_string(const std::filesystem::path& file, const toml::table& table,
                           const std::string& key, const std::string& where) {
  const toml::node* node = table.get(key);
  if (!node) fail_at(pos_of(file, table), where + ": missing required key '" + key + "' (string)");
  if (!node->is_string()) {
    fail_at(pos_of(file, *node),
            where + "." + key + ": expected string, got " + detail::toml_type_name(*node));
  }
  return node->as_string()->get();
}

std::optional<double> optional_number(const std::filesystem::path& file, const toml::table& table,
                                      const std::string& key, const std::string& where) {
  const toml::node* node = table.get(key);
  if (!node) return std::nullopt;
  if (auto i = node->as_integer()) return static_cast<double>(i->get());
  if (auto f = node->as_floating_point()) return f->get();
  fail_at(pos_of(file, *node),
          where + "." + key + ": expected a number, got " + detail::toml_type_name(*node));
}

bool valid_semver(const std::string& v) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= v.size()) {
    std::size_t j = v.find('.', i);
    if (j == std::string::npos) j = v.size();
    if (j == i) return false;
    for (std::size_t k = i; k < j; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(v[k]))) return false;
    }
    ++parts;
    i = j + 1;
  }
  return parts == 3;
}

ParamSpec read_param(const std::filesystem::path& file, const toml::table& t,
                     const std::string& where) {
  check_keys(file, t, {"key", "type", "default", "min", "max", "choices", "unit", "description"},
             where);
  ParamSpec spec;
  spec.key = require_string(file, t, "key", where);
  const std::string type = require_string(file, t, "type", where);
  auto parsed = param_type_from_string(type);
  if (!parsed) {
    fail_at(
        pos_of(file, *t.get("type")),
        where + ".type: expected int|float|bool|string|int_list|float_list, got \"" + type + "\"");
  }
  spec.type = *parsed;
  spec.min = optional_number(file, t, "min", where);
  spec.max = optional_number(file, t, "max", where);
  if (const toml::node* c = t.get("choices")) {
    const toml::array* arr = c->as_array();
    if (!arr) fail_at(pos_of(file, *c), where + ".choices: expected an array of strings");
    for (const auto& el : *arr) {
      if (!el.is_string()) fail_at(pos_of(file, el), where + ".choices: expected strings");
      spec.choices.push_back(el.as_string()->get());
    }
  }
  if (const toml::node* u = t.get("unit")) {
    if (!u->is_string()) fail_at(pos_of(file, *u), where + ".unit: expected string");
    spec.unit = u->as_string()->get();
  }
  if (const toml::node* d = t.get("description")) {
    if (!d->is_string()) fail_at(pos_of(file, *d), where + ".description: expected string");
    spec.description = d->as_string()->get();
  }
  if (const toml::node* d = t.get("default")) {
    auto value = detail::to_param_value(*d);
    if (!value) fail_at(pos_of(file, *d), where + ".default: unsupported value type");
    std::string problem = check_value(spec, *value);
    if (!problem.empty()) fail_at(pos_of(file, *d), where + ".default: " + problem);
    if (spec.type == ParamType::kFloat && std::holds_alternative<int64_t>(*value)) {
      value = static_cast<double>(std::get<int64_t>(*value));
    }
    spec.default_value = *value;
  }
  return spec;
}

FactoryManifest read_factory(const std::filesystem::path& file, const toml::table& t,
                             const std::string& where) {
  check_keys(file, t, {"kind", "name", "version", "description", "param"}, where);
  FactoryManifest f;
  f.kind = require_string(file, t, "kind", where);
  const auto& kinds = known_kinds();
  if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) {
    fail_at(pos_of(file, *t.get("kind")),
            where +
                ".kind: expected encoder|sender|receiver|negotiator|alignment|fusion|head, got \"" +
                f.kind + "\"");
  }
  f.name = require_string(file, t, "name", where);
  const toml::node* v = t.get("version");
  if (!v || !v->is_integer() || v->as_integer()->get() < 1) {
    fail_at(v ? pos_of(file, *v) : pos_of(file, t), where + ".version: expected an integer >= 1");
  }
  f.version = static_cast<int>(v->as_integer()->get());
  if (const toml::node* d = t.get("description")) {
    if (!d->is_string()) fail_at(pos_of(file, *d), where + ".description: expected string");
    f.description = d->as_string()->get();
  }
  if (const toml::node* p = t.get("param")) {
    const toml::array* arr = p->as_array();
    if (!arr)
      fail_at(pos_of(file, *p), where + ".param: expected an array of tables [[factory.param]]");
    std::set<std::string> seen;
    for (const auto& el : *arr) {
      if (!el.is_table()) fail_at(pos_of(file, el), where + ".param: expected tables");
      ParamSpec spec = read_param(file, *el.as_table(), where + ".param");
      if (!seen.insert(spec.key).second) {
        fail_at(pos_of(file, el), where + ".param: duplicate key '" + spec.key + "'");
      }
      f.params.push_back(std::move(spec));
    }
  }
  return f;
}

}  // namespace

PluginManifest read_manifest(const std::filesystem::path& path) {
  toml::table root = detail::parse_toml_file(path);
  check_keys(path, root, {"name", "version", "description", "library", "factory"}, "plugin.toml");
  PluginManifest m;
  m.path = path;
  m.name = require_string(path, root, "name", "plugin.toml");
  m.version = require_string(path, root, "version", "plugin.toml");
  if (!valid_semver(m.version)) {
    fail_at(pos_of(path, *root.get("version")),
            "version: expected \"MAJOR.MINOR.PATCH\", got \"" + m.version + "\"");
  }
  if (const toml::node* d = root.get("description")) {
    if (!d->is_string()) fail_at(pos_of(path, *d), "description: expected string");
    m.description = d->as_string()->get();
  }
  const std::string lib = require_string(path, root, "library", "plugin.toml");
  m.library = std::filesystem::absolute(path.parent_path() / lib).lexically_normal();
  const toml::node* fac = root.get("factory");
  if (!fac || !fac->is_array() || fac->as_array()->empty()) {
    fail_at(fac ? pos_of(path, *fac) : pos_of(path, root),
            "expected at least one [[factory]] table");
  }
  std::set<std::tuple<std::string, std::string, int>> seen;
  for (const auto& el : *fac->as_array()) {
    if (!el.is_table()) fail_at(pos_of(path, el), "factory: expected tables [[factory]]");
    FactoryManifest f = read_factory(path, *el.as_table(), "factory");
    if (!seen.insert({f.kind, f.name, f.version}).second) {
      fail_at(pos_of(path, el),
              "factory: duplicate " + f.kind + "/" + f.name + " v" + std::to_string(f.version));
    }
    m.factories.push_back(std::move(f));
  }
  return m;
}

std::vector<PluginManifest> discover_manifests(const std::vector<std::filesystem::path>& dirs,
                                               std::vector<std::string>* errors) {
  namespace fs = std::filesystem;
  std::vector<PluginManifest> out;
  std::set<std::string> names;
  for (const auto& dir : dirs) {
    std::vector<fs::path> candidates;
    std::error_code ec;
    if (fs::is_regular_file(dir / "plugin.toml", ec)) candidates.push_back(dir / "plugin.toml");
    std::vector<fs::path> sub;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec) && fs::is_regular_file(it->path() / "plugin.toml", ec)) {
        sub.push_back(it->path() / "plugin.toml");
      }
    }
    std::sort(sub.begin(), sub.end());
    candidates.insert(candidates.end(), sub.begin(), sub.end());
    for (const auto& c : candidates) {
      try {
        PluginManifest m = read_manifest(c);
        if (!names.insert(m.name).second) {
          if (errors) {
            errors->push_back(c.string() + ": plugin '" + m.name +
                              "' already found earlier in the search path; ignored");
          }
          continue;
        }
        out.push_back(std::move(m));
      } catch (const ConfigError& e) {
        if (errors) errors->push_back(e.what());
      }
    }
  }
  return out;
}

}  // namespace concord
