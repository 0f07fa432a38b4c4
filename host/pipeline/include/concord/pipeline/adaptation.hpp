#pragma once
/// \file
/// NegoCollab stage 2, "task adaptation" (paper eq. 27; reference
/// negocollab-official-code.md §2.5, §3): only the receivers train, with the ego's
/// collaborative detection loss, data flowing as at inference (collaborator →
/// sender → wire → ego receiver → ego fusion → ego head). Also loads an alliance
/// artifact into a ready-to-run heterogeneous collaboration.

#include <filesystem>
#include <string>
#include <vector>

#include "concord/manifest.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/hetero.hpp"
#include "concord/pipeline/hetero_loader.hpp"
#include "concord/registry.hpp"

namespace concord::pipeline {

/// The members `names` as HeteroMembers: frozen Step-0 detectors (see
/// load_frozen_members) and, when `alliance_dir` is non-empty, their
/// senders/receivers from that artifact (frozen, eval mode). Throws
/// ConfigError/Error naming the file when a member's Step-0 run or adapter is
/// missing, and AllianceMismatch when a member's adapters were trained against
/// another alliance.
std::vector<HeteroMember> load_hetero_members(const ExperimentSpec& spec, const Registry& registry,
                                              const std::vector<PluginManifest>& manifests,
                                              const std::vector<std::string>& names,
                                              const std::filesystem::path& alliance_dir);

/// The sensors of each member, in member order.
std::vector<TypeSensors> member_sensors(const std::vector<HeteroMember>& members);

/// What stage 2 adapts and where its state goes.
struct AdaptOptions {
  std::vector<std::string> members;    ///< agent types taking part (alliance members)
  std::vector<std::string> trainable;  ///< whose receivers train
  int ego_type = -1;                   ///< force the ego's type (index into members), −1 = seeded
  TrainSpec schedule;                  ///< epochs, lr, milestones, max_samples
  std::filesystem::path alliance_dir;  ///< the artifact; adapted receivers are written back
  std::filesystem::path state_dir;     ///< checkpoints and metrics of this stage
};

/// The epoch one receiver keeps under `[adapt] select = "val_ap"`.
struct ReceiverSelection {
  std::string member;         ///< agent type whose receiver this is
  int best_epoch = 0;         ///< 1-based; 0 = no epoch evaluated yet
  double best_val_ap = -1.0;  ///< validation AP@0.5 of NegoCollab mode with this member as ego
};

/// What adapt() did.
struct AdaptResult {
  int epochs_done = 0;
  int best_epoch = 0;          ///< lowest mean validation loss (select = "val_loss")
  double best_val_loss = 0.0;  ///< at best_epoch
  double seconds = 0.0;
  /// select = "val_ap": one entry per trained receiver, each with its own epoch.
  std::vector<ReceiverSelection> selected;

  /// One line for the CLI: "best val loss 1.2345 at epoch 3" or, per receiver,
  /// "m3: val AP@0.5 0.514 at epoch 6".
  std::string summary() const;
};

/// Stage 2 over the train split ([adapt] schedule) for the alliance in
/// run_dir/alliance (written by negotiate()); validation loss on the validate
/// split each epoch; checkpoints in run_dir/adapt (atomic, resumable); the best
/// epoch's receivers are written back into the artifact. Throws as
/// load_hetero_members and concord::Error on I/O.
AdaptResult adapt(const ExperimentSpec& spec, const Registry& registry,
                  const std::vector<PluginManifest>& manifests,
                  const std::filesystem::path& run_dir, bool resume);

/// Stage 2 as `options` says (adapt() and the second half of `concord join`):
/// only the `trainable` receivers get gradients, so a training sample whose ego's
/// receiver has nothing to train (the protocol agent's identity, a frozen member) or
/// that has no collaborator is skipped; validation loss each epoch;
/// checkpoints in options.state_dir (atomic, resumable); the best epoch's
/// receivers are written back into the artifact.
///
/// Which epoch is best follows schedule.select. "val_loss": the lowest mean
/// validation loss over all egos, one epoch for every receiver. "val_ap": as the
/// official code (sheet §4, "model selection": highest AP@0.5 of heterogeneous
/// collaboration after every epoch; here on the validate split, never test), but per
/// receiver: after each epoch every trained receiver's member is the ego of a
/// NegoCollab-mode pass over the validate split, and each receiver keeps the epoch of
/// its own highest AP@0.5 (ties keep the earlier epoch; checkpoint "best_<member>").
/// A receiver changes only the detections of its own ego, so the choices are
/// independent. Throws concord::Error when resuming a run under the other selection.
AdaptResult adapt_receivers(const ExperimentSpec& spec, const Registry& registry,
                            const std::vector<PluginManifest>& manifests,
                            const AdaptOptions& options, bool resume);

}  // namespace concord::pipeline
