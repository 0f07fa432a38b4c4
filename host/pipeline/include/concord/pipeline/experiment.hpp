#pragma once
/// \file
/// An experiment file resolved against the plugin manifests: which agent types,
/// which components with which validated parameters, which data, how to train.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "concord/config.hpp"
#include "concord/loader/camera_augment.hpp"
#include "concord/loader/collab_loader.hpp"
#include "concord/manifest.hpp"
#include "concord/params.hpp"

namespace concord::pipeline {

/// A component section after validation.
struct ComponentSpec {
  std::string kind;            ///< "encoder", "fusion", "head", ...
  std::string plugin;          ///< plugin name
  std::string plugin_version;  ///< plugin version from its manifest
  std::string factory;         ///< factory name
  int version = 1;             ///< factory version
  ParamSet params;             ///< every declared parameter (defaults filled in)
};

/// An agent type (configs/agents/mX.toml).
struct AgentSpec {
  std::string name;
  std::string sensor;  ///< "lidar" | "camera"
  int beams = 64;      ///< LiDAR beams (lidar agents)
  std::optional<ComponentSpec> encoder;
};

/// Dataset formats of [data] format (see data_source.hpp).
enum class DataFormat {
  kOpv2v,     ///< "opv2v": OPV2V(-H) folders {root}/{split}/{scenario}/{cav} (default)
  kDairV2xC,  ///< "dair-v2x-c": one DAIR-V2X-C folder, split by time into train/validate/test
};

/// The data.format value of `format`: "opv2v" | "dair-v2x-c".
std::string format_name(DataFormat format);

/// Data settings ([data]); paths relative to the working directory.
struct DataSpec {
  /// Dataset layout of `root` (data.format, default "opv2v"). For "dair-v2x-c"
  /// the defaults of data.comm_range_m and data.gt_range become HEAL's DAIR ones
  /// (100 m, formats::kDairRange).
  DataFormat format = DataFormat::kOpv2v;
  std::filesystem::path root;
  std::string train_split = "train";
  std::string val_split = "validate";
  std::string test_split = "test";
  loader::LoaderOptions loader;
  /// Fixed agent-type assignment of heterogeneous runs: agent_types[k] is the type
  /// name (an [experiment] agent) of agent k of every sample. Set from
  /// data.vehicle_type and data.roadside_type (DAIR-V2X-C only: agent 0 = the
  /// vehicle = the ego, agent 1 = the roadside unit). Empty = the seeded
  /// per-(scenario, agent) draw of assign_type (the simulator's default).
  std::vector<std::string> agent_types;
};

/// Training settings ([train]); defaults follow HEAL's Step-0 schedules scaled down.
struct TrainSpec {
  int epochs = 10;
  double lr = 2e-3;
  std::vector<int64_t> milestones;
  double gamma = 0.1;
  double weight_decay = 1e-4;
  int64_t max_samples = 0;  ///< samples per epoch, 0 = all (negotiate/adapt: validation too)
  /// "fp32" | "bf16": bf16 trains under CPU autocast with channels_last weights
  /// (parameters, gradients and Adam state stay fp32); see concord/precision.hpp.
  std::string precision = "fp32";
  /// Stage 1 and join only: each step trains on one random square crop of this many
  /// cells (the same window for every member and item; boxes and occupancy follow),
  /// a ≈(H/crop)² cheaper step on the convolution/window-attention adapters. 0 = the
  /// whole map. Must be a multiple of the adapters' window (8).
  int64_t crop_cells = 0;
  /// [train] only: random resize/crop/flip of every camera image with matching
  /// intrinsics (`camera_scale = [min, max]`, `camera_flip = true`), drawn per
  /// (seed, epoch, sample); off by default. LiDAR agents are unaffected.
  loader::CameraAugmentOptions camera_augment{};
  /// [train] and [adapt] only: which checkpoint is "best". "val_loss" = lowest
  /// mean loss on the validate split; "val_ap" = highest AP@0.5 on the validate split
  /// (Step 0: of intermediate fusion; stage 2: of NegoCollab mode, per receiver, see
  /// adapt_receivers) at one evaluation pass per epoch. HEAL selects on the
  /// validation loss, the official NegoCollab stage 2 on AP@0.5; an overfitting
  /// camera model's loss can bottom out epochs before its detections do. Never the
  /// test split.
  std::string select = "val_loss";
  /// negotiate/adapt/join: validation samples per epoch; −1 = as max_samples, 0 = all.
  int64_t val_samples = -1;
  /// The validation samples negotiate/adapt/join use: val_samples, or max_samples
  /// when val_samples is −1 (0 = all).
  int64_t validation_samples() const { return val_samples >= 0 ? val_samples : max_samples; }

  /// Learning rate of 0-based `epoch` under MultiStepLR: lr × gamma^(milestones ≤ epoch).
  double lr_at(int epoch) const;

  /// A shorter (or longer) schedule than the file's, from the command line
  /// (`--epochs`, `--max-samples`, `--val-samples`): `epochs` > 0 replaces `epochs`,
  /// `max_samples` ≥ 0 replaces `max_samples` (0 = all), `val_samples` ≥ 0 replaces
  /// `val_samples` (0 = all); nullopt leaves a field as it is. Milestones past the
  /// new epoch count simply never apply. Throws ConfigError naming the option and
  /// `what` (e.g. "[negotiate]") when epochs < 1 or a sample count < 0, changing
  /// nothing.
  void override_with(std::optional<int> new_epochs, std::optional<int64_t> new_max_samples,
                     std::optional<int64_t> new_val_samples, const std::string& what);
};

/// Evaluation settings ([eval]); defaults as HEAL (score > 0.2, NMS IoU 0.15).
struct EvalSpec {
  double score_threshold = 0.2;
  double nms_iou = 0.15;
  std::string precision = "fp32";  ///< "fp32" | "bf16" (CPU autocast), see concord/precision.hpp
};

/// NegoCollab alliance settings ([alliance]).
struct AllianceSettings {
  /// Step-0 experiment of each member, "{agent}" replaced by the agent type name,
  /// relative to the experiment file's folder; the member's frozen detector is its
  /// best checkpoint in runs/<that experiment's name>.
  std::string step0 = "step0_{agent}.toml";
  /// Folder holding each Step-0 run (<experiment name>/checkpoints/best.*),
  /// relative to the working directory: "runs", or shipped weights ("models").
  std::string step0_runs = "runs";
  /// Joining: the alliance artifact folder the newcomers join (relative to the
  /// working directory).
  std::string dir;
  /// The protocol agent for NegoCollab-P (its local space is the common one); "" = negotiate.
  std::string protocol_agent;
  /// One-to-one baselines (MPDA, PnPDA as published): exactly two members and an
  /// [alignment] loss; each member's sender aligns to the OTHER member's local space
  /// (the partner's frozen local feature is the target), so what arrives at an ego is
  /// in its own space before its receiver; no common representation, no newcomers.
  bool one_to_one = false;
};

/// Weights of NegoCollab's stage-1 losses ([losses]); defaults from the official
/// configs (reference negocollab-official-code.md §2.4; paper eq. 16, 19, 25-26).
struct NegoLossSpec {
  double cycle = 1.0;                     ///< λ_c, cycle distribution consistency (eq. 16)
  double distribution = 1.0;              ///< λ_d, unify distribution (eq. 19)
  double structural = 1.0;                ///< λ_s, structural alignment (eq. 20-22)
  double pragmatic = 5.0;                 ///< λ_p, occupancy of each sender output (eq. 23)
  double negotiator_pragmatic = 5.0;      ///< λ_a, occupancy of the negotiated P (eq. 24)
  double cycle_std_weight = 1e-3;         ///< β of eq. 16
  double distribution_std_weight = 1e-3;  ///< α of eq. 19
};

/// A whole experiment.
struct ExperimentSpec {
  std::filesystem::path file;
  std::string name;
  std::uint64_t seed = 0;
  std::vector<AgentSpec> agents;
  std::optional<ComponentSpec> fusion;
  std::optional<ComponentSpec> head;
  /// NegoCollab experiments: the adapters every member gets and the negotiator.
  std::optional<ComponentSpec> sender;
  std::optional<ComponentSpec> receiver;
  std::optional<ComponentSpec> negotiator;
  /// Align-to-common baselines ([alignment], e.g. plugin "stamp"): each non-protocol
  /// member's adapters train with this loss against the protocol agent's local feature
  /// instead of NegoCollab's terms. Only with alliance.protocol_agent.
  std::optional<ComponentSpec> alignment;
  AllianceSettings alliance;
  /// Stage-1 schedule ([negotiate]); defaults: 12 epochs, lr 1e-3, milestone 10 (sheet §4).
  TrainSpec negotiate{12, 1e-3, {10}, 0.1, 1e-4, 0, "fp32", 0};
  /// Stage-2 schedule ([adapt]); defaults: 9 epochs at lr 1e-4 (the official ft
  /// runs start from epoch 15, past the 1e-3 → 1e-4 milestone; sheet §4).
  TrainSpec adapt{9, 1e-4, {}, 0.1, 1e-4, 0, "fp32", 0};
  /// Join (align) schedule ([join]); defaults: 10 epochs at lr 1e-3 (sheet §4).
  TrainSpec join{10, 1e-3, {}, 0.1, 1e-4, 0, "fp32", 0};
  NegoLossSpec losses;
  DataSpec data;
  TrainSpec train;
  EvalSpec eval;
};

/// Loader options for the experiment's (single, Step-0) agent type: its LiDAR
/// beams or its cameras (with camera-visible GT, HEAL label_type: camera), on
/// top of the [data] settings.
loader::LoaderOptions loader_options(const ExperimentSpec& spec);

/// Loads and validates an experiment file and its agent files. Throws
/// ConfigError ("file:line:column: message") on any problem, e.g. an [alignment]
/// section without [alliance] protocol_agent.
ExperimentSpec load_experiment(const std::filesystem::path& file,
                               const std::vector<PluginManifest>& manifests);

}  // namespace concord::pipeline
