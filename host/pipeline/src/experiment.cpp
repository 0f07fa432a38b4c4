#include "concord/pipeline/experiment.hpp"

#include <algorithm>

#include "concord/error.hpp"
#include "concord/formats/dair_v2x.hpp"

namespace concord::pipeline {

namespace {

template <class T>
std::optional<T> setting(const ConfigFile& cfg, const std::string& key) {
  auto it = cfg.settings().find(key);
  if (it == cfg.settings().end()) return std::nullopt;
  if (const T* v = std::get_if<T>(&it->second.first)) return *v;
  if constexpr (std::is_same_v<T, double>) {
    if (const int64_t* i = std::get_if<int64_t>(&it->second.first)) return static_cast<double>(*i);
  }
  if constexpr (std::is_same_v<T, std::vector<double>>) {
    if (const auto* i = std::get_if<std::vector<int64_t>>(&it->second.first)) {
      return std::vector<double>(i->begin(), i->end());
    }
  }
  throw ConfigError(it->second.second.str() + ": " + key + " has the wrong type");
}

/// Fills `t` from section `section` ([train], [negotiate], [adapt] or [join]);
/// keys absent from the file keep t's defaults.
void read_schedule(const ConfigFile& cfg, const std::string& section, TrainSpec& t) {
  const std::string p = section + ".";
  t.epochs = static_cast<int>(setting<int64_t>(cfg, p + "epochs").value_or(t.epochs));
  t.lr = setting<double>(cfg, p + "lr").value_or(t.lr);
  t.milestones = setting<std::vector<int64_t>>(cfg, p + "milestones").value_or(t.milestones);
  t.gamma = setting<double>(cfg, p + "gamma").value_or(t.gamma);
  t.weight_decay = setting<double>(cfg, p + "weight_decay").value_or(t.weight_decay);
  t.max_samples = setting<int64_t>(cfg, p + "max_samples").value_or(t.max_samples);
  t.val_samples = setting<int64_t>(cfg, p + "val_samples").value_or(t.val_samples);
  t.precision = setting<std::string>(cfg, p + "precision").value_or(t.precision);
  t.crop_cells = setting<int64_t>(cfg, p + "crop_cells").value_or(t.crop_cells);
  // Crops serve the feature-alignment stages only; detection training ([train],
  // [adapt]) needs the whole map (anchors, fusion across agents).
  if (t.crop_cells != 0 && section != "negotiate" && section != "join") {
    const auto it = cfg.settings().find(p + "crop_cells");
    throw ConfigError(
        (it != cfg.settings().end() ? it->second.second.str() + ": " : std::string()) + p +
        "crop_cells: only [negotiate] and [join] train on crops (got " +
        std::to_string(t.crop_cells) + ")");
  }
  // Camera augmentation serves Step-0 detection training only: the later stages train
  // adapters on frozen encoders whose inputs must stay those of Step 0.
  const auto scale = setting<std::vector<double>>(cfg, p + "camera_scale");
  const auto flip = setting<bool>(cfg, p + "camera_flip");
  // "file:line:column: <section>.<key>" of a key present in the file.
  const auto where = [&](const std::string& key) {
    return cfg.settings().at(p + key).second.str() + ": " + p + key;
  };
  if ((scale || flip) && section != "train") {
    throw ConfigError(where(scale ? "camera_scale" : "camera_flip") +
                      ": only [train] (Step 0) augments camera images");
  }
  if (scale) {
    if (scale->size() != 2 || !((*scale)[0] > 0.0) || !((*scale)[1] >= (*scale)[0])) {
      throw ConfigError(where("camera_scale") +
                        ": expected [min, max] resize factors with 0 < min <= max, "
                        "e.g. [0.9, 1.1]");
    }
    t.camera_augment.scale_min = (*scale)[0];
    t.camera_augment.scale_max = (*scale)[1];
  }
  t.camera_augment.flip = flip.value_or(false);
  t.select = setting<std::string>(cfg, p + "select").value_or(t.select);
  // Detection training ([train], [adapt]) can select on validation AP; the
  // feature-alignment stages have no detections of their own to score.
  if (t.select != "val_loss" && section != "train" && section != "adapt") {
    const auto it = cfg.settings().find(p + "select");
    throw ConfigError(
        (it != cfg.settings().end() ? it->second.second.str() + ": " : std::string()) + p +
        "select = \"" + t.select +
        "\": only [train] and [adapt] select on validation AP; this stage selects on the "
        "validation loss");
  }
}

/// Reads data.vehicle_type / data.roadside_type into e.data.agent_types (after
/// e.agents and e.data.format are known). Both keys or neither; DAIR-V2X-C only;
/// each value must name one of e.agents. Throws ConfigError
/// ("file:line:column: data.<key>: ...") naming the key and the value otherwise.
void read_fixed_types(const ConfigFile& cfg, ExperimentSpec& e) {
  static const std::vector<std::string> keys{"data.vehicle_type", "data.roadside_type"};
  std::vector<std::optional<std::string>> values;
  for (const auto& k : keys) values.push_back(setting<std::string>(cfg, k));
  if (!values[0] && !values[1]) return;
  auto where = [&](size_t i) { return cfg.settings().at(keys[i]).second.str(); };
  const size_t given = values[0] ? 0 : 1;
  if (e.data.format != DataFormat::kDairV2xC) {
    throw ConfigError(where(given) + ": " + keys[given] + " = \"" + *values[given] +
                      "\": a fixed per-side type needs data.format = \"dair-v2x-c\" (OPV2V "
                      "agents have no fixed sides; they get the seeded assignment)");
  }
  if (!values[0] || !values[1]) {
    throw ConfigError(where(given) + ": " + keys[given] + " = \"" + *values[given] + "\" without " +
                      keys[1 - given] + ": set both or neither");
  }
  std::string names;
  for (const auto& a : e.agents) names += (names.empty() ? "\"" : ", \"") + a.name + "\"";
  for (size_t i = 0; i < keys.size(); ++i) {
    const bool known = std::any_of(e.agents.begin(), e.agents.end(),
                                   [&](const AgentSpec& a) { return a.name == *values[i]; });
    if (!known) {
      throw ConfigError(where(i) + ": " + keys[i] + " = \"" + *values[i] +
                        "\" is not an agent type of this experiment (expected one of " +
                        (names.empty() ? std::string("[experiment] agents, none given") : names) +
                        ")");
    }
    e.data.agent_types.push_back(*values[i]);
  }
}

ComponentSpec component(const ComponentConfig& c, const std::vector<PluginManifest>& manifests) {
  const FactoryManifest* f = nullptr;
  ComponentSpec spec;
  spec.params = validate_component(c, manifests, &f);
  spec.kind = c.section;
  spec.plugin = c.plugin;
  spec.factory = f->name;
  spec.version = f->version;
  for (const auto& m : manifests) {
    if (m.name == c.plugin) spec.plugin_version = m.version;
  }
  return spec;
}

}  // namespace

std::string format_name(DataFormat format) {
  return format == DataFormat::kDairV2xC ? "dair-v2x-c" : "opv2v";
}

loader::LoaderOptions loader_options(const ExperimentSpec& spec) {
  loader::LoaderOptions lo = spec.data.loader;
  if (!spec.agents.empty()) {
    const AgentSpec& agent = spec.agents.front();
    lo.lidar_beams = agent.sensor == "lidar" ? agent.beams : 0;
    lo.cameras = agent.sensor == "camera";
    // Camera agents see only what their cameras show (HEAL label_type: camera).
    lo.camera_visible_gt = lo.cameras;
  }
  return lo;
}

ExperimentSpec load_experiment(const std::filesystem::path& file,
                               const std::vector<PluginManifest>& manifests) {
  ConfigFile cfg = ConfigFile::load(file);
  if (cfg.kind() != "experiment") {
    throw ConfigError(file.string() + ": expected an experiment file ([experiment]), got an " +
                      cfg.kind() + " file");
  }
  ExperimentSpec e;
  e.file = file;
  e.name = *setting<std::string>(cfg, "experiment.name");
  e.seed = static_cast<std::uint64_t>(setting<int64_t>(cfg, "experiment.seed").value_or(0));
  for (const auto& c : cfg.components()) {
    if (c.section == "fusion")
      e.fusion = component(c, manifests);
    else if (c.section == "head")
      e.head = component(c, manifests);
    else if (c.section == "sender")
      e.sender = component(c, manifests);
    else if (c.section == "receiver")
      e.receiver = component(c, manifests);
    else if (c.section == "negotiator")
      e.negotiator = component(c, manifests);
    else if (c.section == "alignment")
      e.alignment = component(c, manifests);
    else {
      throw ConfigError(c.pos.str() + ": [" + c.section +
                        "] is not used by experiments (expected [fusion], [head], [sender], "
                        "[receiver], [negotiator] or [alignment])");
    }
  }
  for (const auto& [agent_file, pos] : cfg.agent_files()) {
    if (!std::filesystem::exists(agent_file)) {
      throw ConfigError(pos.str() + ": agent file " + agent_file.string() + " not found");
    }
    ConfigFile a = ConfigFile::load(agent_file);
    if (a.kind() != "agent")
      throw ConfigError(pos.str() + ": " + agent_file.string() + " is not an agent file");
    AgentSpec spec;
    spec.name = *setting<std::string>(a, "agent.name");
    spec.sensor = setting<std::string>(a, "sensor.kind").value_or("lidar");
    spec.beams = static_cast<int>(setting<int64_t>(a, "sensor.beams").value_or(64));
    for (const auto& c : a.components()) {
      if (c.section == "encoder") spec.encoder = component(c, manifests);
    }
    e.agents.push_back(std::move(spec));
  }
  DataSpec& d = e.data;
  if (auto format = setting<std::string>(cfg, "data.format")) {
    if (*format == "dair-v2x-c") {
      d.format = DataFormat::kDairV2xC;
      d.loader.comm_range_m = 100.0;  // HEAL's DAIR comm_range
      d.loader.gt_range = formats::kDairRange;
    } else if (*format != "opv2v") {
      throw ConfigError(cfg.settings().at("data.format").second.str() +
                        ": data.format: expected \"opv2v\" or \"dair-v2x-c\", got \"" + *format +
                        "\"");
    }
  }
  if (auto root = setting<std::string>(cfg, "data.root")) d.root = *root;
  d.train_split = setting<std::string>(cfg, "data.train_split").value_or(d.train_split);
  d.val_split = setting<std::string>(cfg, "data.val_split").value_or(d.val_split);
  d.test_split = setting<std::string>(cfg, "data.test_split").value_or(d.test_split);
  d.loader.comm_range_m = setting<double>(cfg, "data.comm_range_m").value_or(d.loader.comm_range_m);
  d.loader.max_agents =
      static_cast<int>(setting<int64_t>(cfg, "data.max_agents").value_or(d.loader.max_agents));
  d.loader.pose_noise_xy_m = setting<double>(cfg, "data.pose_noise_xy_m").value_or(0.0);
  d.loader.pose_noise_yaw_deg = setting<double>(cfg, "data.pose_noise_yaw_deg").value_or(0.0);
  d.loader.seed = e.seed;
  if (auto r = setting<std::vector<double>>(cfg, "data.gt_range")) {
    if (r->size() != 6) {
      throw ConfigError(cfg.settings().at("data.gt_range").second.str() +
                        ": data.gt_range: expected 6 values [xmin, ymin, zmin, xmax, ymax, zmax]");
    }
    std::copy(r->begin(), r->end(), d.loader.gt_range.begin());
  }
  read_fixed_types(cfg, e);
  read_schedule(cfg, "train", e.train);
  read_schedule(cfg, "negotiate", e.negotiate);
  read_schedule(cfg, "adapt", e.adapt);
  read_schedule(cfg, "join", e.join);
  e.alliance.dir = setting<std::string>(cfg, "alliance.dir").value_or("");
  e.alliance.step0 = setting<std::string>(cfg, "alliance.step0").value_or(e.alliance.step0);
  e.alliance.step0_runs =
      setting<std::string>(cfg, "alliance.step0_runs").value_or(e.alliance.step0_runs);
  e.alliance.protocol_agent =
      setting<std::string>(cfg, "alliance.protocol_agent").value_or(e.alliance.protocol_agent);
  e.alliance.one_to_one = setting<bool>(cfg, "alliance.one_to_one").value_or(false);
  if (e.alliance.one_to_one) {
    const std::string where =
        cfg.settings().at("alliance.one_to_one").second.str() + ": alliance.one_to_one = true: ";
    if (!e.alignment)
      throw ConfigError(where + "needs an [alignment] loss (e.g. plugin = \"mpda\")");
    if (e.agents.size() != 2)
      throw ConfigError(where + "needs exactly two experiment.agents, got " +
                        std::to_string(e.agents.size()));
    if (!e.alliance.protocol_agent.empty())
      throw ConfigError(where + "aligns each member to the other; remove alliance.protocol_agent");
    if (e.negotiator)
      throw ConfigError(where + "has no common representation; remove [negotiator]");
  }
  if (e.alignment && e.alliance.protocol_agent.empty() && !e.alliance.one_to_one) {
    const auto c = std::find_if(cfg.components().begin(), cfg.components().end(),
                                [](const ComponentConfig& x) { return x.section == "alignment"; });
    throw ConfigError(c->pos.str() + ": [alignment] plugin = \"" + e.alignment->plugin +
                      "\" aligns every member to a protocol agent's local feature; set "
                      "[alliance] protocol_agent (or one_to_one = true for a pair)");
  }
  NegoLossSpec& l = e.losses;
  l.cycle = setting<double>(cfg, "losses.cycle").value_or(l.cycle);
  l.distribution = setting<double>(cfg, "losses.distribution").value_or(l.distribution);
  l.structural = setting<double>(cfg, "losses.structural").value_or(l.structural);
  l.pragmatic = setting<double>(cfg, "losses.pragmatic").value_or(l.pragmatic);
  l.negotiator_pragmatic =
      setting<double>(cfg, "losses.negotiator_pragmatic").value_or(l.negotiator_pragmatic);
  l.cycle_std_weight = setting<double>(cfg, "losses.cycle_std_weight").value_or(l.cycle_std_weight);
  l.distribution_std_weight =
      setting<double>(cfg, "losses.distribution_std_weight").value_or(l.distribution_std_weight);
  e.eval.precision = setting<std::string>(cfg, "eval.precision").value_or(e.eval.precision);
  e.eval.score_threshold = setting<double>(cfg, "eval.score_threshold").value_or(0.2);
  e.eval.nms_iou = setting<double>(cfg, "eval.nms_iou").value_or(0.15);
  return e;
}

double TrainSpec::lr_at(int epoch) const {
  double rate = lr;
  for (int64_t m : milestones) {
    if (epoch >= m) rate *= gamma;
  }
  return rate;
}

void TrainSpec::override_with(std::optional<int> new_epochs, std::optional<int64_t> new_max_samples,
                              std::optional<int64_t> new_val_samples, const std::string& what) {
  if (new_epochs && *new_epochs < 1)
    throw ConfigError("--epochs " + std::to_string(*new_epochs) + " for " + what +
                      ": expected at least 1");
  if (new_max_samples && *new_max_samples < 0)
    throw ConfigError("--max-samples " + std::to_string(*new_max_samples) + " for " + what +
                      ": expected 0 (all) or more");
  if (new_val_samples && *new_val_samples < 0)
    throw ConfigError("--val-samples " + std::to_string(*new_val_samples) + " for " + what +
                      ": expected 0 (all) or more");
  if (new_epochs) epochs = *new_epochs;
  if (new_val_samples) val_samples = *new_val_samples;
  if (new_max_samples) max_samples = *new_max_samples;
}

}  // namespace concord::pipeline
