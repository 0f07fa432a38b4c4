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

/// Data settings ([data]); paths relative to the working directory.
struct DataSpec {
  std::filesystem::path root;
  std::string train_split = "train";
  std::string val_split = "validate";
  std::string test_split = "test";
  loader::LoaderOptions loader;
};

/// Training settings ([train]); defaults follow HEAL's Step-0 schedules scaled down.
struct TrainSpec {
  int epochs = 10;
  double lr = 2e-3;
  std::vector<int64_t> milestones;
  double gamma = 0.1;
  double weight_decay = 1e-4;
  int64_t max_samples = 0;  ///< per epoch, 0 = all
  /// "fp32" | "bf16": bf16 trains under CPU autocast with channels_last weights
  /// (parameters, gradients and Adam state stay fp32); see concord/precision.hpp.
  std::string precision = "fp32";
};

/// Evaluation settings ([eval]); defaults as HEAL (score > 0.2, NMS IoU 0.15).
struct EvalSpec {
  double score_threshold = 0.2;
  double nms_iou = 0.15;
  std::string precision = "fp32";  ///< "fp32" | "bf16" (CPU autocast), see concord/precision.hpp
};

/// A whole experiment.
struct ExperimentSpec {
  std::filesystem::path file;
  std::string name;
  std::uint64_t seed = 0;
  std::vector<AgentSpec> agents;
  std::optional<ComponentSpec> fusion;
  std::optional<ComponentSpec> head;
  DataSpec data;
  TrainSpec train;
  EvalSpec eval;
};

/// Loader options for the experiment's (single, Step-0) agent type: its LiDAR
/// beams or its cameras (with camera-visible GT, HEAL label_type: camera), on
/// top of the [data] settings.
loader::LoaderOptions loader_options(const ExperimentSpec& spec);

/// Loads and validates an experiment file and its agent files. Throws
/// ConfigError ("file:line:column: message") on any problem.
ExperimentSpec load_experiment(const std::filesystem::path& file,
                               const std::vector<PluginManifest>& manifests);

}  // namespace concord::pipeline
