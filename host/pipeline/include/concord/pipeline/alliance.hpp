#pragma once
/// \file
/// The alliance artifact (NegoCollab §3.4, issue 5): the directory that pins a
/// negotiated common representation so that agents trained later can join it.
///
///   <dir>/alliance.toml        id, common-representation spec, negotiator, alignment
///                              loss (align-to-common baselines only), members
///   <dir>/negotiator.pt        negotiator weights
///   <dir>/<agent>.sender.pt    each member's sender weights
///   <dir>/<agent>.receiver.pt  each member's receiver weights
///
/// The alliance id is a SHA-256 content hash of what defines the common
/// representation: the spec, the negotiator (plugin, factory, parameters and every
/// weight) and the founding members. Members that join later do not change it
/// (nothing of the alliance changes when a new agent joins); each member records
/// the id it was trained against, and the host refuses to fuse a message whose
/// alliance id differs from the ego's.

#include <torch/nn/module.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "concord/error.hpp"
#include "concord/pipeline/experiment.hpp"

namespace concord::pipeline {

/// The common representation's tensor layout: [B, channels, H, W] float32 on the
/// BEV grid x ∈ [x_min, x_max), y ∈ [y_min, y_max) (m, agent frame) at
/// `cell_size_m` per cell, H along y and W along x (reference sheet §0).
struct CommonSpec {
  int64_t channels = 64;
  double cell_size_m = 0.8;
  double x_min = -38.4, x_max = 38.4, y_min = -38.4, y_max = 38.4;

  /// H = (y_max − y_min) / cell_size_m (rounded).
  int64_t height() const;
  /// W = (x_max − x_min) / cell_size_m (rounded).
  int64_t width() const;
  /// Throws concord::ConfigError naming the field when channels ≤ 0, the cell size
  /// is not positive or a range is empty or not a whole number of cells.
  void validate() const;
};

/// One member of an alliance: its adapters and the alliance id it was trained against.
struct AllianceMember {
  std::string agent;            ///< agent type name, e.g. "m3"
  ComponentSpec sender;         ///< the sender plugin (kind "sender")
  ComponentSpec receiver;       ///< the receiver plugin (kind "receiver")
  std::string trained_against;  ///< alliance id the adapters were trained against
  bool founder = false;         ///< member of the initial alliance (part of the id)
};

/// The content of alliance.toml.
struct AllianceManifest {
  std::string id;  ///< "sha256:<64 hex>", see alliance_id()
  CommonSpec common;
  ComponentSpec negotiator;    ///< kind "negotiator"; plugin "none" for NegoCollab-P
  std::string protocol_agent;  ///< NegoCollab-P: the agent whose local space is P; else ""
  /// Align-to-common baselines: the [alignment] loss the members' adapters were trained
  /// with (e.g. STAMP); absent for NegoCollab. A label for evaluation and joining; not
  /// part of the id (P is the protocol agent's local feature either way).
  std::optional<ComponentSpec> alignment;
  /// One-to-one pair (MPDA/PnPDA as published): each founder's sender maps into the
  /// other founder's local space; there is no common representation, so nobody joins.
  /// Part of the id when true ("alliance.one_to_one" in alliance.toml; absent = false).
  bool one_to_one = false;
  std::vector<AllianceMember> members;

  /// The method name evaluation prints for the adapted mode: the alignment factory
  /// (e.g. "stamp"; "mpda_o2o" for a one-to-one pair) when there is one, else
  /// "negocollab".
  std::string method() const;

  /// The member named `agent`, or nullptr.
  const AllianceMember* find(const std::string& agent) const;
};

/// An exclusive advisory lock (flock) on `<dir>/alliance.lock` for the lifetime of
/// the object: joins hold it while they re-read and rewrite alliance.toml, so that
/// two agent types joining the same artifact at once both end up in it. Blocks
/// until the lock is free. Throws concord::Error naming the file when it cannot be
/// created or locked.
class AllianceLock {
 public:
  explicit AllianceLock(const std::filesystem::path& dir);
  ~AllianceLock();
  AllianceLock(const AllianceLock&) = delete;
  AllianceLock& operator=(const AllianceLock&) = delete;

 private:
  int fd_ = -1;
};

/// Thrown when a message's alliance id differs from the receiving agent's.
class AllianceMismatch : public Error {
 public:
  using Error::Error;
};

/// SHA-256 (hex) of a module's state: every parameter and buffer, sorted by name,
/// hashed as name, dtype, shape and the raw float bytes (contiguous, CPU).
std::string module_digest(const torch::nn::Module& module);

/// The alliance id "sha256:<hex>" of a manifest's spec, negotiator component (plugin,
/// factory, version, parameters), negotiator weight digest (module_digest; "" when
/// there is no negotiator), protocol agent and founding members (sorted names).
std::string alliance_id(const AllianceManifest& manifest, const std::string& negotiator_digest);

/// Writes the artifact into `dir` (created if needed): manifest.id is computed and
/// set, then negotiator.pt (when `negotiator` is non-null and the folder does not
/// already hold an artifact with the same id), each member's
/// `<agent>.sender.pt` / `<agent>.receiver.pt` for the modules given in
/// `senders`/`receivers` (same order as manifest.members; null entries skip a file
/// already in place) and alliance.toml last. Every file goes through a temporary
/// file and a rename. Throws concord::Error naming the file on I/O failure.
void write_alliance(const std::filesystem::path& dir, AllianceManifest& manifest,
                    torch::nn::Module* negotiator, const std::vector<torch::nn::Module*>& senders,
                    const std::vector<torch::nn::Module*>& receivers);

/// Reads `dir/alliance.toml`. Throws concord::ConfigError naming the file and key on
/// a missing or malformed field. Does not load weights.
AllianceManifest read_alliance(const std::filesystem::path& dir);

/// Loads `dir/negotiator.pt` into `negotiator` and checks that the recomputed
/// alliance id equals manifest.id. Throws AllianceMismatch naming the file when the
/// weights do not match the id (a modified or foreign negotiator).
void load_negotiator(const std::filesystem::path& dir, const AllianceManifest& manifest,
                     torch::nn::Module& negotiator);

/// Loads `dir/<agent>.sender.pt` and `.receiver.pt` into the given modules. Throws
/// concord::Error naming the file when the agent is not a member or a file is
/// missing/corrupt, and AllianceMismatch when the member was trained against
/// another alliance.
void load_member(const std::filesystem::path& dir, const AllianceManifest& manifest,
                 const std::string& agent, torch::nn::Module& sender, torch::nn::Module& receiver);

/// Replaces one member's `<agent>.<part>.pt` (part "sender" or "receiver") with
/// `module`'s weights through a temporary file and a rename (stage 2 adapts the
/// receivers in place; the alliance id does not change). Throws concord::Error
/// naming the file when the agent is not a member or the write fails.
void save_member_part(const std::filesystem::path& dir, const AllianceManifest& manifest,
                      const std::string& agent, const std::string& part,
                      const torch::nn::Module& module);

/// Refuses to fuse a message: throws AllianceMismatch ("message from <sender>
/// carries alliance <got>, the ego's alliance is <expected>; retrain <sender>'s
/// adapters with `concord join`") when the ids differ.
void require_same_alliance(const std::string& expected, const std::string& got,
                           const std::string& sender);

}  // namespace concord::pipeline
