#pragma once
/// \file
/// NegoCollab stage 1, "negotiation" (paper §3.2-3.3, eq. 1-26; reference
/// negocollab-official-code.md §2-4): the initial alliance's frozen Step-0
/// encoders see the same agents (pair data: every agent in range encoded by every
/// member's modality); a negotiator derives the common representation P from their
/// local features; each member's sender (local → common) and receiver (common →
/// local) are trained with cycle, distribution, structural and pragmatic losses.
/// Trainable: senders, receivers, negotiator, the shared occupancy head. Frozen:
/// encoders, fusion, heads. The result is written as an alliance artifact.

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "concord/formats/opv2v_dataset.hpp"
#include "concord/manifest.hpp"
#include "concord/modules/alignment_loss.hpp"
#include "concord/modules/loss_terms.hpp"
#include "concord/modules/negotiator.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "concord/pipeline/alliance.hpp"
#include "concord/pipeline/collab_detector.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/local_store.hpp"
#include "concord/registry.hpp"

namespace concord::pipeline {

/// A frozen Step-0 member of the alliance.
struct FrozenMember {
  AgentSpec agent;
  ExperimentSpec step0;                      ///< its Step-0 experiment
  std::shared_ptr<CollabDetector> detector;  ///< best checkpoint, eval mode, no gradients
  /// Its local representations on the experiment's dataset (local_store.hpp), or
  /// null when local_store_root() is empty.
  std::shared_ptr<LocalStore> store;
};

/// Loads the Step-0 members `names` (agent type names): each one's Step-0
/// experiment (spec.alliance.step0 with {agent} replaced, relative to spec.file's
/// folder), its detector and the best checkpoint in runs_root/<step0 name>/checkpoints
/// (runs_root empty = spec.alliance.step0_runs, "runs" unless configured).
/// All parameters are frozen (requires_grad false) and the detectors are in eval
/// mode. Throws ConfigError naming the file when a Step-0 experiment is missing or
/// names another agent type, and concord::Error when its checkpoint is
/// missing/incompatible.
std::vector<FrozenMember> load_frozen_members(const ExperimentSpec& spec, const Registry& registry,
                                              const std::vector<PluginManifest>& manifests,
                                              const std::vector<std::string>& names,
                                              const std::filesystem::path& runs_root = {});

/// The names of spec.agents, in order.
std::vector<std::string> agent_names(const ExperimentSpec& spec);

/// One agent-frame of pair data, everything in that agent's own frame.
struct PairItem {
  std::string tag;                 ///< "<scenario>/<timestamp>/<agent id>"
  std::vector<at::Tensor> locals;  ///< per member, [1, C, H, W] float32 local feature
  at::Tensor gt_boxes;             ///< [M, 7] float32 [x, y, z, h, w, l, yaw], agent frame
  at::Tensor occupancy;            ///< [1, 1, H, W] float32 labels (1 / 0 / −1 ignore)
};

/// A stage-1 batch: B agent-frames stacked per member.
struct PairBatch {
  std::vector<at::Tensor> locals;    ///< per member, [B, C, h, w] float32
  std::vector<at::Tensor> gt_boxes;  ///< B tensors [M_b, 7], agent frames (m, rad)
  at::Tensor occupancy;              ///< [B, 1, h, w] labels (1 / 0 / −1 ignore)
  BevGrid grid;                      ///< what the maps cover: the full grid or a crop of it
};

/// Stacks items[order[begin..end)] on `full` (the common grid). With crop > 0 and an
/// rng, every map is cut to one random crop × crop window (drawn from rng, the same
/// for all members and items), `grid` shrinks to that window and only boxes whose
/// centre lies inside it are kept (the `[negotiate] crop_cells` speed-up);
/// channels_last lays the locals out NHWC (bf16 runs). Throws ConfigError when the
/// maps are smaller than the crop, c10::Error when members' maps differ in size.
PairBatch make_pair_batch(const std::vector<PairItem>& items, const std::vector<size_t>& order,
                          size_t begin, size_t end, const BevGrid& full, bool channels_last,
                          int64_t crop = 0, std::mt19937_64* rng = nullptr);

/// Encodes every agent of the first `max_samples` samples (0 = all) of split
/// `split` of `data` (any format, see open_samples) with every member's frozen
/// encoder (no gradients). GT: the sample's cooperative
/// boxes moved into each agent's frame (clean poses) with centres inside the
/// feature grid; occupancy labels from the first member's head (LiDAR labels for
/// every modality, as the official 'nego' labels when a LiDAR member is present).
/// A member with a store (FrozenMember::store) reads the agent-frames stored there
/// instead of loading their sensor data and encoding them, and stores the others.
/// Throws formats::FormatError naming the file on unreadable data.
std::vector<PairItem> encode_pair_data(const std::vector<FrozenMember>& members,
                                       const DataSpec& data, const std::string& split,
                                       const loader::LoaderOptions& data_options,
                                       int64_t max_samples, const std::string& label);

/// The trainable parts of stage 1 for an alliance of M members.
class NegotiationModel : public torch::nn::Module {
 public:
  /// senders/receivers: one per member (same order as the pair data's locals).
  /// negotiator: null for the "vanilla" ablation (P = mean of the sender outputs).
  /// grid: the common representation's grid (structural-loss keypoints).
  NegotiationModel(std::vector<std::shared_ptr<Sender>> senders,
                   std::vector<std::shared_ptr<Receiver>> receivers,
                   std::shared_ptr<Negotiator> negotiator, int64_t channels, BevGrid grid,
                   NegoLossSpec weights);

  /// Stage-1 loss (eq. 26) of a batch of B agent-frames: locals[m] [B, C, H, W]
  /// (member m's local features), gt_boxes B tensors [M_b, 7] (agent frames),
  /// occupancy [B, 1, H, W]. Terms per member ("cycle/<m>", "distribution/<m>",
  /// "structural/<m>", "pragmatic/<m>"), "negotiator_pragmatic" and "total".
  /// With an alignment loss (set_alignment) each trained member's terms are instead
  /// "<method>/<m>/<term>" (the loss's own terms, its "total" added to the sum) and
  /// "pragmatic/<m>" (λ_p · occupancy of its sender output, the task term). Throws
  /// c10::Error on a member count mismatch, an alignment loss without a protocol (or
  /// one-to-one pairing), or a one-to-one pairing without an alignment loss or of
  /// other than two members.
  LossTerms loss(const std::vector<at::Tensor>& locals, const std::vector<at::Tensor>& gt_boxes,
                 const at::Tensor& occupancy, const std::vector<std::string>& member_names);
  /// The same on maps covering `grid` (a crop of the common grid; structural-loss
  /// keypoints are placed on it).
  LossTerms loss(const std::vector<at::Tensor>& locals, const std::vector<at::Tensor>& gt_boxes,
                 const at::Tensor& occupancy, const std::vector<std::string>& member_names,
                 const BevGrid& grid);

  /// The common representation P [B, C, H, W] of the members' local features
  /// (joining: of the founders' local features only).
  at::Tensor negotiate(const std::vector<at::Tensor>& locals);

  /// Joining (paper §3.4; sheet §2.4 "align stage"): members [0, founders) are the
  /// frozen alliance; P comes from them alone, and the loss has only the per-member
  /// terms of members ≥ founders (no negotiator term). founders = 0 turns it off.
  void set_joining(size_t founders) { founders_ = founders; }

  /// NegoCollab-P (paper §4, "-P" variants): P is member `member`'s own local
  /// feature (the protocol agent m0), fixed; there is no negotiator term and that
  /// member gets no terms (its adapters are identities). −1 turns it off.
  void set_protocol(int64_t member) { protocol_ = member; }

  /// One-to-one baselines (MPDA, PnPDA): exactly two members, an alignment loss, no
  /// protocol; member m's adapters minimise the loss against the OTHER member's local
  /// feature (fixed), plus the pragmatic term. There is no P and no negotiator term.
  void set_one_to_one(bool on) { one_to_one_ = on; }

  /// Align-to-common baselines (e.g. STAMP): with a protocol member set, every other
  /// trained member's adapters minimise `loss` against the protocol's local feature
  /// plus the pragmatic term, instead of NegoCollab's cycle, distribution and
  /// structural terms. `method` prefixes the term names ("stamp"). A loss with
  /// trainable parameters (MPDA's domain classifier) is registered as the submodule
  /// "alignment", so that stage 1 trains and checkpoints it; one without (STAMP) is not.
  /// Call at most once. nullptr turns it off.
  void set_alignment(std::shared_ptr<AlignmentLoss> loss, std::string method) {
    alignment_ = std::move(loss);
    method_ = std::move(method);
    if (alignment_ && !alignment_->parameters().empty()) register_module("alignment", alignment_);
  }
  /// The alignment loss (null unless set_alignment).
  std::shared_ptr<AlignmentLoss> alignment_loss() const { return alignment_; }

  Sender& sender(size_t m) { return *senders_.at(m); }
  Receiver& receiver(size_t m) { return *receivers_.at(m); }
  /// The negotiator and occupancy head as one module (what the alliance id hashes).
  torch::nn::Module& negotiator_bundle() { return *bundle_; }

 private:
  std::vector<std::shared_ptr<Sender>> senders_;
  std::vector<std::shared_ptr<Receiver>> receivers_;
  std::shared_ptr<Negotiator> negotiator_;
  std::shared_ptr<AlignmentLoss> alignment_;  ///< align-to-common baseline, else null
  std::string method_;                        ///< term-name prefix of alignment_
  std::shared_ptr<torch::nn::Module> bundle_;
  torch::nn::Conv2d occupancy_head_{nullptr};  ///< shared 1x1 conv C → 1 (sheet §1.5)
  BevGrid grid_;
  NegoLossSpec weights_;
  size_t founders_ = 0;      ///< > 0 while a new member joins
  int64_t protocol_ = -1;    ///< NegoCollab-P: the protocol member, else −1
  bool one_to_one_ = false;  ///< one-to-one pair: each member aligns to the other
};

/// What join() did.
struct JoinResult {
  int epochs_done = 0;
  int best_epoch = 0;
  double best_val_loss = 0.0;
  double seconds = 0.0;
  std::string alliance_id;  ///< unchanged by the join
};

/// A new agent type joins a frozen alliance (paper §3.4; sheet §3 "align", §5):
/// spec.agents names the newcomer(s), spec.alliance.dir the artifact. P comes from
/// the alliance's frozen negotiator over the founders' frozen local features; only
/// the newcomers' sender and receiver train (cycle, distribution, structural and
/// pragmatic terms, or the artifact's alignment loss and the pragmatic term; the
/// occupancy head is frozen). Checkpoints in run_dir/join;
/// the best epoch's adapters are added to the artifact as members trained against
/// its id, which does not change. A newcomer that is already a member is refused
/// unless `replace` (its adapters are retrained and replaced). Throws ConfigError /
/// concord::Error naming the file or key, and AllianceMismatch when the negotiator
/// weights do not match the id.
JoinResult join(const ExperimentSpec& spec, const Registry& registry,
                const std::vector<PluginManifest>& manifests, const std::filesystem::path& run_dir,
                bool resume, bool replace = false);

/// What negotiate() did.
struct NegotiateResult {
  int epochs_done = 0;
  int best_epoch = 0;
  double best_val_loss = 0.0;
  double seconds = 0.0;
  std::string alliance_id;
  std::filesystem::path alliance_dir;
};

/// Runs stage 1 as `spec` says ([negotiate] schedule, [losses] weights, [sender],
/// [receiver], [negotiator] plugins, or [alignment] with alliance.protocol_agent for an
/// align-to-common baseline, recorded in the artifact; members = spec.agents) into `run_dir`:
/// checkpoints/latest|best (atomic), metrics.csv, and finally the alliance artifact
/// in run_dir/alliance (best epoch). With `resume`, continues after the last
/// finished epoch. Throws ConfigError / concord::Error naming the file or key.
NegotiateResult negotiate(const ExperimentSpec& spec, const Registry& registry,
                          const std::vector<PluginManifest>& manifests,
                          const std::filesystem::path& run_dir, bool resume);

}  // namespace concord::pipeline
