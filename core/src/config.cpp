#include "concord/config.hpp"

#include <algorithm>
#include <set>

#include "toml_util.hpp"

namespace concord {

using detail::fail_at;
using detail::pos_of;

namespace {

/// One host-defined key of a section.
struct KeySpec {
  ParamSpec spec;
  bool required = false;
};

/// Host-defined sections of a config kind: section → keys.
using Schema = std::map<std::string, std::vector<KeySpec>>;

KeySpec key(std::string name, ParamType type, bool required, std::string description,
            std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt,
            std::vector<std::string> choices = {}, std::string unit = "") {
  KeySpec k;
  k.spec.key = std::move(name);
  k.spec.type = type;
  k.spec.min = min;
  k.spec.max = max;
  k.spec.choices = std::move(choices);
  k.spec.unit = std::move(unit);
  k.spec.description = std::move(description);
  k.required = required;
  return k;
}

/// Keys of a training-schedule section ([train], [negotiate], [adapt], [join]).
std::vector<KeySpec> schedule_keys(const std::string& epochs_description) {
  return {key("epochs", ParamType::kInt, false, epochs_description, 1, 10000),
          key("lr", ParamType::kFloat, false, "Adam learning rate", 1e-8, 1.0),
          key("milestones", ParamType::kIntList, false, "epochs at which lr *= gamma", 1, 10000),
          key("gamma", ParamType::kFloat, false, "MultiStepLR factor", 0.0, 1.0),
          key("weight_decay", ParamType::kFloat, false, "Adam weight decay", 0.0, 1.0),
          key("max_samples", ParamType::kInt, false, "samples per epoch (0 = all)", 0, 100000000),
          key("val_samples", ParamType::kInt, false,
              "negotiate/adapt/join: validation samples per epoch (0 = all; default: as "
              "max_samples)",
              0, 100000000),
          key("precision", ParamType::kString, false, "compute precision", std::nullopt,
              std::nullopt, {"fp32", "bf16"}),
          key("crop_cells", ParamType::kInt, false,
              "negotiate/join: train on random square BEV crops of this many cells (0 = whole map)",
              0, 100000, {}, "cells"),
          key("camera_scale", ParamType::kFloatList, false,
              "train: camera images resized by a factor drawn from [min, max] (augmentation)", 0.0,
              10.0),
          key("camera_flip", ParamType::kBool, false,
              "train: mirror camera images left-right with probability 0.5 (augmentation)"),
          key("select", ParamType::kString, false,
              "train: best checkpoint by lowest validation loss or highest validation AP@0.5",
              std::nullopt, std::nullopt, {"val_loss", "val_ap"})};
}

// Agent files: one agent type (NegoCollab Table 5), its sensor and its components.
const Schema& agent_schema() {
  static const Schema schema = {
      {"agent",
       {key("name", ParamType::kString, true, "agent type id, e.g. m1"),
        key("description", ParamType::kString, false, "one line"),
        key("protocol", ParamType::kBool, false, "true for the protocol agent (NegoCollab-P)")}},
      {"sensor",
       {key("kind", ParamType::kString, true, "sensor kind", std::nullopt, std::nullopt,
            {"lidar", "camera"}),
        key("beams", ParamType::kInt, false, "LiDAR beams", 1, 512, {}, "beams"),
        key("cameras", ParamType::kInt, false, "number of cameras", 1, 8),
        key("image_width", ParamType::kInt, false, "input image width", 16, 8192, {}, "px"),
        key("image_height", ParamType::kInt, false, "input image height", 16, 8192, {}, "px")}},
  };
  return schema;
}

// Experiment files: which agents take part and which shared components they use.
const Schema& experiment_schema() {
  static const Schema schema = {
      {"experiment",
       {key("name", ParamType::kString, true, "experiment name, used for the run directory"),
        key("description", ParamType::kString, false, "one line"),
        key("seed", ParamType::kInt, false, "random seed", 0, 2147483647.0),
        key("device", ParamType::kString, false, "cpu | cuda | cuda:N")}},
      {"data",
       {key("format", ParamType::kString, false, "dataset format", std::nullopt, std::nullopt,
            {"opv2v", "dair-v2x-c"}),
        key("root", ParamType::kString, false,
            "dataset root (OPV2V layout, or one DAIR-V2X-C folder), relative to the working dir"),
        key("train_split", ParamType::kString, false, "split used for training"),
        key("val_split", ParamType::kString, false, "split used for model selection"),
        key("test_split", ParamType::kString, false, "split used for evaluation"),
        key("comm_range_m", ParamType::kFloat, false, "communication range", 1.0, 1000.0, {}, "m"),
        key("max_agents", ParamType::kInt, false, "agents per sample, ego included", 1, 16),
        key("gt_range", ParamType::kFloatList, false, "[xmin, ymin, zmin, xmax, ymax, zmax]",
            -1000.0, 1000.0, {}, "m"),
        key("pose_noise_xy_m", ParamType::kFloat, false, "pose noise std, x and y", 0.0, 10.0, {},
            "m"),
        key("pose_noise_yaw_deg", ParamType::kFloat, false, "pose noise std, yaw", 0.0, 45.0, {},
            "deg"),
        key("vehicle_type", ParamType::kString, false,
            "dair-v2x-c heterogeneous runs: the agent type of the vehicle (the ego), fixed"),
        key("roadside_type", ParamType::kString, false,
            "dair-v2x-c heterogeneous runs: the agent type of the roadside unit, fixed")}},
      {"train", schedule_keys("training epochs")},
      {"negotiate", schedule_keys("NegoCollab stage-1 epochs")},
      {"adapt", schedule_keys("NegoCollab stage-2 epochs")},
      {"join", schedule_keys("NegoCollab join (align) epochs")},
      {"alliance",
       {key("dir", ParamType::kString, false,
            "joining: the alliance artifact folder, relative to the working directory"),
        key("step0", ParamType::kString, false,
            "Step-0 experiment of each member, {agent} = its name, relative to this file"),
        key("step0_runs", ParamType::kString, false,
            "folder holding <Step-0 experiment name>/checkpoints (default runs)"),
        key("one_to_one", ParamType::kBool, false,
            "two members, each aligned to the other's local space (MPDA/PnPDA one-to-one)"),
        key("protocol_agent", ParamType::kString, false,
            "NegoCollab-P: the agent whose local space is the common one")}},
      {"losses",
       {key("cycle", ParamType::kFloat, false, "lambda_c, cycle loss weight (eq. 16)", 0.0, 1e6),
        key("distribution", ParamType::kFloat, false, "lambda_d, distribution loss (eq. 19)", 0.0,
            1e6),
        key("structural", ParamType::kFloat, false, "lambda_s, structural loss (eq. 20-22)", 0.0,
            1e6),
        key("pragmatic", ParamType::kFloat, false, "lambda_p, sender occupancy loss (eq. 23)", 0.0,
            1e6),
        key("negotiator_pragmatic", ParamType::kFloat, false,
            "lambda_a, negotiated-P occupancy loss (eq. 24)", 0.0, 1e6),
        key("cycle_std_weight", ParamType::kFloat, false, "beta of eq. 16", 0.0, 1e6),
        key("distribution_std_weight", ParamType::kFloat, false, "alpha of eq. 19", 0.0, 1e6)}},
      {"eval",
       {key("score_threshold", ParamType::kFloat, false, "detection score threshold", 0.0, 1.0),
        key("nms_iou", ParamType::kFloat, false, "rotated NMS IoU threshold", 0.0, 1.0),
        key("precision", ParamType::kString, false, "compute precision", std::nullopt, std::nullopt,
            {"fp32", "bf16"})}},
  };
  return schema;
}

const std::set<std::string>& component_sections() {
  static const std::set<std::string> s(known_kinds().begin(), known_kinds().end());
  return s;
}

std::string list_of(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

ComponentConfig read_component(const std::filesystem::path& file, const std::string& section,
                               const toml::table& t) {
  ComponentConfig c;
  c.section = section;
  c.pos = pos_of(file, t);
  for (const auto& [k, node] : t) {
    const std::string name(k.str());
    const SourcePos pos = pos_of(file, node);
    if (name == "plugin" || name == "factory") {
      if (!node.is_string()) {
        fail_at(pos,
                section + "." + name + ": expected string, got " + detail::toml_type_name(node));
      }
      (name == "plugin" ? c.plugin : c.factory) = node.as_string()->get();
    } else if (name == "version") {
      if (!node.is_integer() || node.as_integer()->get() < 1) {
        fail_at(pos, section + ".version: expected an integer >= 1");
      }
      c.version = static_cast<int>(node.as_integer()->get());
    } else if (name == "params") {
      const toml::table* params = node.as_table();
      if (!params) fail_at(pos, section + ".params: expected a table");
      for (const auto& [pk, pnode] : *params) {
        auto value = detail::to_param_value(pnode);
        if (!value) {
          fail_at(pos_of(file, pnode), section + ".params." + std::string(pk.str()) +
                                           ": unsupported value type " +
                                           detail::toml_type_name(pnode));
        }
        c.params[std::string(pk.str())] = {*value, pos_of(file, pnode)};
      }
    } else {
      fail_at(pos, "unknown key '" + name + "' in [" + section +
                       "] (expected plugin, factory, version, params)");
    }
  }
  if (c.plugin.empty()) fail_at(c.pos, "[" + section + "]: missing required key 'plugin'");
  return c;
}

}  // namespace

ConfigFile ConfigFile::load(const std::filesystem::path& path) {
  toml::table root = detail::parse_toml_file(path);
  ConfigFile cfg;
  cfg.path_ = path;
  if (root.contains("agent")) {
    cfg.kind_ = "agent";
  } else if (root.contains("experiment")) {
    cfg.kind_ = "experiment";
  } else {
    fail_at(SourcePos{path, 1, 1}, "expected an [agent] or an [experiment] section");
  }
  const Schema& schema = cfg.kind_ == "agent" ? agent_schema() : experiment_schema();

  // Components follow their file order (toml++ tables are ordered by key, so sort by line).
  std::vector<std::pair<std::string, const toml::node*>> sections;
  for (const auto& [k, node] : root) sections.emplace_back(std::string(k.str()), &node);
  std::sort(sections.begin(), sections.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin < b.second->source().begin;
  });

  for (const auto& [name, node] : sections) {
    const SourcePos pos = pos_of(path, *node);
    const toml::table* table = node->as_table();
    auto schema_it = schema.find(name);
    if (schema_it == schema.end() && !component_sections().count(name)) {
      std::set<std::string> allowed = component_sections();
      for (const auto& [s, keys] : schema) allowed.insert(s);
      fail_at(pos, "unknown section '" + name + "' (expected one of: " + list_of(allowed) + ")");
    }
    if (!table) fail_at(pos, "'" + name + "' must be a table ([" + name + "])");
    if (schema_it == schema.end()) {
      cfg.components_.push_back(read_component(path, name, *table));
      continue;
    }
    const auto& keys = schema_it->second;
    for (const auto& [k, vnode] : *table) {
      const std::string kname(k.str());
      if (name == "experiment" && kname == "agents") {
        const toml::array* arr = vnode.as_array();
        if (!arr)
          fail_at(pos_of(path, vnode),
                  "experiment.agents: expected an array of agent config paths");
        for (const auto& el : *arr) {
          if (!el.is_string()) {
            fail_at(pos_of(path, el), "experiment.agents: expected strings (file paths)");
          }
          std::filesystem::path p = el.as_string()->get();
          if (p.is_relative()) p = path.parent_path() / p;
          cfg.agent_files_.emplace_back(p.lexically_normal(), pos_of(path, el));
        }
        continue;
      }
      auto spec_it = std::find_if(keys.begin(), keys.end(),
                                  [&](const KeySpec& s) { return s.spec.key == kname; });
      if (spec_it == keys.end()) {
        std::set<std::string> allowed;
        for (const auto& s : keys) allowed.insert(s.spec.key);
        if (name == "experiment") allowed.insert("agents");
        fail_at(pos_of(path, vnode), "unknown key '" + kname + "' in [" + name +
                                         "] (expected one of: " + list_of(allowed) + ")");
      }
      auto value = detail::to_param_value(vnode);
      std::string problem = value ? check_value(spec_it->spec, *value)
                                  : "unsupported value type " + detail::toml_type_name(vnode);
      if (!problem.empty()) fail_at(pos_of(path, vnode), name + "." + kname + ": " + problem);
      cfg.settings_[name + "." + kname] = {*value, pos_of(path, vnode)};
    }
    for (const auto& s : keys) {
      if (s.required && !table->contains(s.spec.key)) {
        fail_at(pos, "[" + name + "]: missing required key '" + s.spec.key + "' (" +
                         to_string(s.spec.type) + ")");
      }
    }
  }
  for (const auto& [section, keys] : schema) {
    bool has_required =
        std::any_of(keys.begin(), keys.end(), [](const KeySpec& k) { return k.required; });
    if (has_required && !root.contains(section)) {
      fail_at(SourcePos{path, 1, 1}, "missing required section [" + section + "]");
    }
  }
  return cfg;
}

ParamSet validate_component(const ComponentConfig& c, const std::vector<PluginManifest>& manifests,
                            const FactoryManifest** factory_out) {
  auto m = std::find_if(manifests.begin(), manifests.end(),
                        [&](const PluginManifest& pm) { return pm.name == c.plugin; });
  if (m == manifests.end()) {
    std::string known;
    for (const auto& pm : manifests) known += (known.empty() ? "" : ", ") + pm.name;
    fail_at(c.pos, "[" + c.section + "] plugin '" + c.plugin +
                       "' not found in the plugin search path (found: " +
                       (known.empty() ? "none" : known) + ")");
  }
  const FactoryManifest* factory = nullptr;
  std::vector<const FactoryManifest*> of_kind;
  for (const auto& f : m->factories) {
    if (f.kind == c.section) of_kind.push_back(&f);
  }
  if (of_kind.empty()) {
    fail_at(c.pos, "[" + c.section + "] plugin '" + c.plugin + "' provides no " + c.section);
  }
  if (c.factory.empty()) {
    std::set<std::string> names;
    for (const auto* f : of_kind) names.insert(f->name);
    if (names.size() > 1) {
      fail_at(c.pos, "[" + c.section + "] plugin '" + c.plugin + "' provides several " + c.section +
                         " factories (" + list_of(names) + "): set 'factory'");
    }
    factory = m->find(c.section, *names.begin(), c.version);
  } else {
    factory = m->find(c.section, c.factory, c.version);
  }
  if (!factory) {
    fail_at(c.pos, "[" + c.section + "] plugin '" + c.plugin + "' has no " + c.section + " '" +
                       c.factory + "'" +
                       (c.version >= 0 ? " version " + std::to_string(c.version) : ""));
  }
  if (factory_out) *factory_out = factory;
  ParamSet set;
  for (const auto& [k, vp] : c.params) {
    auto spec = std::find_if(factory->params.begin(), factory->params.end(),
                             [&](const ParamSpec& s) { return s.key == k; });
    if (spec == factory->params.end()) {
      std::set<std::string> allowed;
      for (const auto& s : factory->params) allowed.insert(s.key);
      fail_at(vp.second, "unknown parameter '" + k + "' for " + c.section + " '" + factory->name +
                             "' of plugin '" + c.plugin + "' (expected one of: " +
                             (allowed.empty() ? "none" : list_of(allowed)) + ")");
    }
    std::string problem = check_value(*spec, vp.first);
    if (!problem.empty()) fail_at(vp.second, c.section + ".params." + k + ": " + problem);
    ParamValue v = vp.first;
    if (spec->type == ParamType::kFloat && std::holds_alternative<int64_t>(v)) {
      v = static_cast<double>(std::get<int64_t>(v));
    }
    if (spec->type == ParamType::kFloatList && std::holds_alternative<std::vector<int64_t>>(v)) {
      const auto& ints = std::get<std::vector<int64_t>>(v);
      v = std::vector<double>(ints.begin(), ints.end());
    }
    set.set(k, v);
  }
  for (const auto& spec : factory->params) {
    if (set.contains(spec.key)) continue;
    if (!spec.default_value) {
      fail_at(c.pos, "[" + c.section + ".params]: missing required parameter '" + spec.key + "' (" +
                         to_string(spec.type) + ")");
    }
    set.set(spec.key, *spec.default_value);
  }
  return set;
}

std::vector<std::string> check_config(const std::filesystem::path& path,
                                      const std::vector<PluginManifest>& manifests) {
  std::vector<std::string> problems;
  std::vector<std::filesystem::path> files = {path};
  std::set<std::string> seen;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!seen.insert(files[i].lexically_normal().string()).second) continue;
    try {
      ConfigFile cfg = ConfigFile::load(files[i]);
      for (const auto& c : cfg.components()) {
        try {
          validate_component(c, manifests);
        } catch (const ConfigError& e) {
          problems.push_back(e.what());
        }
      }
      for (const auto& [agent, pos] : cfg.agent_files()) {
        if (!std::filesystem::exists(agent)) {
          problems.push_back(pos.str() + ": agent file " + agent.string() + " not found");
        } else {
          files.push_back(agent);
        }
      }
    } catch (const ConfigError& e) {
      problems.push_back(e.what());
    }
  }
  return problems;
}

}  // namespace concord
