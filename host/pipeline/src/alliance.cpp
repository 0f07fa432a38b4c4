#include "concord/pipeline/alliance.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <toml++/toml.h>
#include <torch/serialize/archive.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

#include "sha256.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

namespace {

void atomic_write(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path tmp = path.string() + ".tmp";
  try {
    write(tmp);
    fs::rename(tmp, path);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Error(path.string() + ": cannot write alliance file: " + e.what());
  }
}

void save_module(const fs::path& path, const torch::nn::Module& module) {
  atomic_write(path, [&](const fs::path& tmp) {
    torch::serialize::OutputArchive archive;
    module.save(archive);
    archive.save_to(tmp.string());
  });
}

void load_module(const fs::path& path, torch::nn::Module& module) {
  if (!fs::exists(path)) throw Error(path.string() + ": missing alliance weight file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    module.load(archive);
  } catch (const c10::Error& e) {
    throw Error(path.string() + ": cannot load weights: " + e.what_without_backtrace());
  }
}

toml::array to_toml(const std::vector<int64_t>& v) {
  toml::array a;
  for (int64_t x : v) a.push_back(x);
  return a;
}
toml::array to_toml(const std::vector<double>& v) {
  toml::array a;
  for (double x : v) a.push_back(x);
  return a;
}

toml::table component_table(const ComponentSpec& c) {
  toml::table t;
  t.insert("plugin", c.plugin);
  t.insert("plugin_version", c.plugin_version);
  t.insert("factory", c.factory);
  t.insert("version", c.version);
  toml::table params;
  for (const auto& [key, value] : c.params.values()) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::vector<int64_t>> ||
                        std::is_same_v<T, std::vector<double>>)
            params.insert(key, to_toml(v));
          else
            params.insert(key, v);
        },
        value);
  }
  t.insert("params", params);
  return t;
}

/// Canonical text of a component for hashing: kind, plugin, factory, version and
/// every parameter (std::map keeps them sorted). The plugin's own version string
/// is left out: a rebuilt plugin with the same weights is the same alliance.
std::string canonical(const ComponentSpec& c) {
  std::ostringstream s;
  s << c.kind << '|' << c.plugin << '|' << c.factory << "|v" << c.version;
  for (const auto& [key, value] : c.params.values()) s << '|' << key << '=' << to_string(value);
  return s.str();
}

std::string where(const fs::path& file, const std::string& key) {
  return file.string() + ": key '" + key + "'";
}

template <typename T>
T need(const toml::table& t, const std::string& key, const fs::path& file,
       const std::string& prefix, const char* expected) {
  const auto* node = t.get(key);
  std::optional<T> v;
  if (node) v = node->value<T>();
  if (!v)
    throw ConfigError(where(file, prefix + key) + (node ? " has the wrong type" : " is missing") +
                      ", expected " + expected);
  return *v;
}

const toml::table& need_table(const toml::table& t, const std::string& key, const fs::path& file,
                              const std::string& prefix) {
  const auto* sub = t.get_as<toml::table>(key);
  if (!sub) throw ConfigError(where(file, prefix + key) + " is missing, expected a table");
  return *sub;
}

ParamValue param_from_toml(const toml::node& node, const fs::path& file, const std::string& key) {
  if (auto v = node.value_exact<int64_t>()) return *v;
  if (auto v = node.value_exact<double>()) return *v;
  if (auto v = node.value_exact<bool>()) return *v;
  if (auto v = node.value_exact<std::string>()) return *v;
  if (const auto* a = node.as_array()) {
    bool all_int = true;
    for (const auto& e : *a) all_int = all_int && e.is_integer();
    if (all_int) {
      std::vector<int64_t> out;
      for (const auto& e : *a) out.push_back(*e.value<int64_t>());
      return out;
    }
    std::vector<double> out;
    for (const auto& e : *a) {
      auto d = e.value<double>();
      if (!d) throw ConfigError(where(file, key) + ": expected a list of numbers");
      out.push_back(*d);
    }
    return out;
  }
  throw ConfigError(where(file, key) + ": unsupported parameter type");
}

ComponentSpec component_from(const toml::table& t, const std::string& kind, const fs::path& file,
                             const std::string& prefix) {
  ComponentSpec c;
  c.kind = kind;
  c.plugin = need<std::string>(t, "plugin", file, prefix, "a plugin name");
  c.plugin_version = need<std::string>(t, "plugin_version", file, prefix, "a version string");
  c.factory = need<std::string>(t, "factory", file, prefix, "a factory name");
  c.version = static_cast<int>(need<int64_t>(t, "version", file, prefix, "an integer"));
  if (const auto* params = t.get_as<toml::table>("params")) {
    for (const auto& [key, node] : *params) {
      const std::string k(key.str());
      c.params.set(k, param_from_toml(node, file, prefix + "params." + k));
    }
  }
  return c;
}

bool is_whole(double cells) {
  return std::abs(cells - std::round(cells)) < 1e-6;
}

}  // namespace

int64_t CommonSpec::height() const {
  return static_cast<int64_t>(std::llround((y_max - y_min) / cell_size_m));
}

int64_t CommonSpec::width() const {
  return static_cast<int64_t>(std::llround((x_max - x_min) / cell_size_m));
}

void CommonSpec::validate() const {
  if (channels <= 0)
    throw ConfigError("common.channels = " + std::to_string(channels) + ", expected > 0");
  if (!(cell_size_m > 0.0))
    throw ConfigError("common.cell_size_m = " + std::to_string(cell_size_m) + ", expected > 0");
  if (!(x_max > x_min) || !is_whole((x_max - x_min) / cell_size_m))
    throw ConfigError("common x range [" + std::to_string(x_min) + ", " + std::to_string(x_max) +
                      ") must be non-empty and a whole number of " + std::to_string(cell_size_m) +
                      " m cells");
  if (!(y_max > y_min) || !is_whole((y_max - y_min) / cell_size_m))
    throw ConfigError("common y range [" + std::to_string(y_min) + ", " + std::to_string(y_max) +
                      ") must be non-empty and a whole number of " + std::to_string(cell_size_m) +
                      " m cells");
}

const AllianceMember* AllianceManifest::find(const std::string& agent) const {
  for (const auto& m : members)
    if (m.agent == agent) return &m;
  return nullptr;
}

std::string AllianceManifest::method() const {
  if (!alignment) return "negocollab";
  return alignment->factory + (one_to_one ? "_o2o" : "");
}

std::string module_digest(const torch::nn::Module& module) {
  std::map<std::string, at::Tensor> state;
  for (const auto& p : module.named_parameters(true)) state.emplace("p:" + p.key(), p.value());
  for (const auto& b : module.named_buffers(true)) state.emplace("b:" + b.key(), b.value());
  Sha256 h;
  for (const auto& [name, tensor] : state) {
    h.field(name);
    h.field(std::string(c10::toString(tensor.scalar_type())));
    for (int64_t s : tensor.sizes()) h.update(&s, sizeof s);
    const at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    h.update(t.data_ptr(), t.numel() * t.element_size());
  }
  return h.hex();
}

std::string alliance_id(const AllianceManifest& m, const std::string& negotiator_digest) {
  Sha256 h;
  h.field("concord-alliance-v1");
  std::ostringstream spec;
  spec.precision(17);
  spec << m.common.channels << '|' << m.common.cell_size_m << '|' << m.common.x_min << '|'
       << m.common.x_max << '|' << m.common.y_min << '|' << m.common.y_max;
  h.field(spec.str());
  h.field(canonical(m.negotiator));
  h.field(negotiator_digest);
  h.field(m.protocol_agent);
  if (m.one_to_one) h.field("one_to_one");  // absent before one-to-one pairs: ids unchanged
  std::vector<std::string> founders;
  for (const auto& member : m.members)
    if (member.founder) founders.push_back(member.agent);
  std::sort(founders.begin(), founders.end());
  for (const auto& f : founders) h.field(f);
  return "sha256:" + h.hex();
}

void write_alliance(const fs::path& dir, AllianceManifest& manifest, torch::nn::Module* negotiator,
                    const std::vector<torch::nn::Module*>& senders,
                    const std::vector<torch::nn::Module*>& receivers) {
  manifest.common.validate();
  if (senders.size() != manifest.members.size() || receivers.size() != manifest.members.size())
    throw Error(dir.string() +
                ": write_alliance needs one sender and one receiver slot per member");
  fs::create_directories(dir);
  manifest.id = alliance_id(manifest, negotiator ? module_digest(*negotiator) : "");
  for (auto& member : manifest.members)
    if (member.founder) member.trained_against = manifest.id;
  // An artifact already holding this id has these negotiator weights: leave the
  // file alone (a join adds members; it must not touch what defines P).
  std::string existing_id;
  if (fs::exists(dir / "alliance.toml")) {
    try {
      existing_id = read_alliance(dir).id;
    } catch (const ConfigError&) {
    }
  }
  if (negotiator && !(existing_id == manifest.id && fs::exists(dir / "negotiator.pt")))
    save_module(dir / "negotiator.pt", *negotiator);
  for (size_t i = 0; i < manifest.members.size(); ++i) {
    const std::string& agent = manifest.members[i].agent;
    if (senders[i]) save_module(dir / (agent + ".sender.pt"), *senders[i]);
    if (receivers[i]) save_module(dir / (agent + ".receiver.pt"), *receivers[i]);
  }
  toml::table t;
  toml::table a;
  a.insert("id", manifest.id);
  a.insert("protocol_agent", manifest.protocol_agent);
  if (manifest.one_to_one) a.insert("one_to_one", true);
  t.insert("alliance", a);
  toml::table c;
  c.insert("channels", manifest.common.channels);
  c.insert("cell_size_m", manifest.common.cell_size_m);
  c.insert("x_range", to_toml(std::vector<double>{manifest.common.x_min, manifest.common.x_max}));
  c.insert("y_range", to_toml(std::vector<double>{manifest.common.y_min, manifest.common.y_max}));
  t.insert("common", c);
  t.insert("negotiator", component_table(manifest.negotiator));
  if (manifest.alignment) t.insert("alignment", component_table(*manifest.alignment));
  toml::array members;
  for (const auto& m : manifest.members) {
    toml::table mt;
    mt.insert("agent", m.agent);
    mt.insert("founder", m.founder);
    mt.insert("trained_against", m.trained_against);
    mt.insert("sender", component_table(m.sender));
    mt.insert("receiver", component_table(m.receiver));
    members.push_back(mt);
  }
  t.insert("member", members);
  atomic_write(dir / "alliance.toml", [&](const fs::path& tmp) {
    std::ofstream out(tmp);
    out << "# Concord alliance artifact: the common representation, its negotiator and\n"
        << "# the members' adapters. `id` is a content hash; do not edit by hand.\n"
        << t << "\n";
    out.close();
    if (!out) throw std::runtime_error("write failed");
  });
}

AllianceManifest read_alliance(const fs::path& dir) {
  const fs::path file = dir / "alliance.toml";
  if (!fs::exists(file)) throw ConfigError(file.string() + ": missing (not an alliance directory)");
  toml::table t;
  try {
    t = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << file.string() << ':' << e.source().begin.line << ':' << e.source().begin.column << ": "
      << e.description();
    throw ConfigError(s.str());
  }
  AllianceManifest m;
  const auto& a = need_table(t, "alliance", file, "");
  m.id = need<std::string>(a, "id", file, "alliance.", "\"sha256:<hex>\"");
  if (m.id.rfind("sha256:", 0) != 0 || m.id.size() != 7 + 64)
    throw ConfigError(where(file, "alliance.id") + " = \"" + m.id +
                      "\", expected \"sha256:\" and 64 hex digits");
  m.protocol_agent = need<std::string>(a, "protocol_agent", file, "alliance.", "a string");
  if (a.contains("one_to_one"))
    m.one_to_one = need<bool>(a, "one_to_one", file, "alliance.", "true or false");
  const auto& c = need_table(t, "common", file, "");
  m.common.channels = need<int64_t>(c, "channels", file, "common.", "an integer");
  m.common.cell_size_m = need<double>(c, "cell_size_m", file, "common.", "a number (m)");
  for (const char* key : {"x_range", "y_range"}) {
    const auto* arr = c.get_as<toml::array>(key);
    std::optional<double> lo, hi;
    if (arr && arr->size() == 2) {
      lo = (*arr)[0].value<double>();
      hi = (*arr)[1].value<double>();
    }
    if (!lo || !hi)
      throw ConfigError(where(file, std::string("common.") + key) +
                        " expected [min, max] in metres");
    (std::string(key) == "x_range" ? m.common.x_min : m.common.y_min) = *lo;
    (std::string(key) == "x_range" ? m.common.x_max : m.common.y_max) = *hi;
  }
  try {
    m.common.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
  m.negotiator =
      component_from(need_table(t, "negotiator", file, ""), "negotiator", file, "negotiator.");
  if (t.contains("alignment"))
    m.alignment =
        component_from(need_table(t, "alignment", file, ""), "alignment", file, "alignment.");
  const auto* members = t.get_as<toml::array>("member");
  if (!members || members->empty())
    throw ConfigError(where(file, "member") + " is missing, expected at least one [[member]]");
  for (size_t i = 0; i < members->size(); ++i) {
    const std::string prefix = "member[" + std::to_string(i) + "].";
    const auto* mt = (*members)[i].as_table();
    if (!mt) throw ConfigError(where(file, prefix) + " expected a table");
    AllianceMember member;
    member.agent = need<std::string>(*mt, "agent", file, prefix, "an agent type name");
    member.founder = need<bool>(*mt, "founder", file, prefix, "true or false");
    member.trained_against =
        need<std::string>(*mt, "trained_against", file, prefix, "an alliance id");
    member.sender =
        component_from(need_table(*mt, "sender", file, prefix), "sender", file, prefix + "sender.");
    member.receiver = component_from(need_table(*mt, "receiver", file, prefix), "receiver", file,
                                     prefix + "receiver.");
    if (m.find(member.agent))
      throw ConfigError(where(file, prefix + "agent") + " = \"" + member.agent +
                        "\" appears twice");
    m.members.push_back(std::move(member));
  }
  return m;
}

void load_negotiator(const fs::path& dir, const AllianceManifest& manifest,
                     torch::nn::Module& negotiator) {
  const fs::path file = dir / "negotiator.pt";
  load_module(file, negotiator);
  const std::string id = alliance_id(manifest, module_digest(negotiator));
  if (id != manifest.id)
    throw AllianceMismatch(file.string() + ": the negotiator weights give alliance " + id +
                           ", but " + (dir / "alliance.toml").string() + " says " + manifest.id +
                           " (modified or foreign weights)");
}

void load_member(const fs::path& dir, const AllianceManifest& manifest, const std::string& agent,
                 torch::nn::Module& sender, torch::nn::Module& receiver) {
  const AllianceMember* member = manifest.find(agent);
  if (!member)
    throw Error((dir / "alliance.toml").string() + ": agent '" + agent +
                "' is not a member of alliance " + manifest.id);
  require_same_alliance(manifest.id, member->trained_against, agent);
  load_module(dir / (agent + ".sender.pt"), sender);
  load_module(dir / (agent + ".receiver.pt"), receiver);
}

void save_member_part(const fs::path& dir, const AllianceManifest& manifest,
                      const std::string& agent, const std::string& part,
                      const torch::nn::Module& module) {
  if (!manifest.find(agent))
    throw Error((dir / "alliance.toml").string() + ": agent '" + agent +
                "' is not a member of alliance " + manifest.id);
  if (part != "sender" && part != "receiver")
    throw Error("save_member_part: part must be sender or receiver, got '" + part + "'");
  save_module(dir / (agent + "." + part + ".pt"), module);
}

void require_same_alliance(const std::string& expected, const std::string& got,
                           const std::string& sender) {
  if (expected == got) return;
  throw AllianceMismatch("message from " + sender + " carries alliance " + got +
                         ", the ego's alliance is " + expected + "; retrain " + sender +
                         "'s adapters against it with `concord join`");
}

AllianceLock::AllianceLock(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "alliance.lock").string();
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(file + ": cannot create the artifact lock: " + std::strerror(errno));
  int rc = 0;
  do {
    rc = ::flock(fd_, LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw Error(file + ": cannot lock the artifact: " + why);
  }
}

AllianceLock::~AllianceLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

}  // namespace concord::pipeline
