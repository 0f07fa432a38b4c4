#pragma once
/// \file
/// Heterogeneous collaboration at inference and in NegoCollab stage 2 (paper §3.4,
/// eq. 27; reference negocollab-official-code.md §1.3, §2.5, §3): agents of
/// different types in one sample; the ego detects with its own frozen Step-0
/// fusion and head. How collaborators' features reach it depends on the mode:
///   - no fusion: the ego alone;
///   - late fusion: every agent runs its own Step-0 detector, boxes meet in the ego frame;
///   - naive sharing: collaborators' local features, warped, fused unaligned;
///   - NegoCollab: collaborator local → its sender → wire → warp → the ego's
///     receiver (prompt = the ego's own sender-side local feature) → fusion; the ego
///     keeps its own local feature.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "concord/loader/collab_sample.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "concord/pipeline/collab_detector.hpp"
#include "concord/pipeline/local_cache.hpp"
#include "concord/pipeline/local_store.hpp"
#include "concord/pipeline/wire.hpp"

namespace concord::pipeline {

/// How collaborators' information reaches the ego.
enum class HeteroMode { kNoFusion, kLateFusion, kNaive, kNegoCollab };

/// "no_fusion", "late_fusion", "naive", "negocollab".
std::string to_string(HeteroMode mode);

/// Sensors of one agent type: LiDAR beams (0 = none) or cameras.
struct TypeSensors {
  int lidar_beams = 0;
  bool cameras = false;
};

/// One agent type of a heterogeneous collaboration: its frozen Step-0 detector
/// and (for NegoCollab) its sender and receiver.
struct HeteroMember {
  std::string name;                          ///< agent type, e.g. "m1"
  TypeSensors sensors;                       ///< what its encoder reads
  std::shared_ptr<CollabDetector> detector;  ///< encoder, fusion, head (frozen)
  std::shared_ptr<Sender> sender;            ///< null unless NegoCollab
  std::shared_ptr<Receiver> receiver;        ///< null unless NegoCollab
  /// Its local representations on disk (local_store.hpp), shared with other
  /// processes; null = encode on every cache miss.
  std::shared_ptr<LocalStore> store;
};

/// A heterogeneous sample: samples[m] is the same frame loaded with member m's
/// sensors (same agents, same order); types[k] is the member index of agent k.
struct HeteroSample {
  std::vector<loader::CollabSample> samples;
  std::vector<size_t> types;
  /// The ego's view of agent k: member types[k]'s sample, agent k.
  const loader::AgentData& agent(size_t k) const { return samples.at(types.at(k)).agents.at(k); }
  const loader::CollabSample& ego_sample() const { return samples.at(types.at(0)); }
};

/// Agent k's type for a scenario: a fixed, seeded assignment (the official code's
/// modality-assignment file, seed 303), uniform over `count` types and stable
/// across frames of the scenario. Agent ids are the OPV2V folder ids.
size_t assign_type(const std::string& scenario, const std::string& agent_id, size_t count,
                   uint64_t seed);

/// Collaborative detection of one heterogeneous sample by the ego (agent 0).
class HeteroCollab {
 public:
  explicit HeteroCollab(std::vector<HeteroMember> members);

  /// The ego type's head output [1, A, H, W] ... on the ego grid (float32) for
  /// modes other than late fusion. Throws c10::Error when the NegoCollab mode is
  /// asked for without senders/receivers, or when agent types are out of range.
  HeadOutput forward(const HeteroSample& sample, HeteroMode mode);

  /// Detections in the ego frame after decoding (score > threshold, before NMS),
  /// for every mode (late fusion: each agent's own detector, boxes moved with
  /// the noisy poses).
  Detections detect(const HeteroSample& sample, HeteroMode mode, double score_threshold);

  /// Stage-2 loss (eq. 27): the ego head's detection loss against the sample's
  /// cooperative GT, NegoCollab mode. Only the receivers get gradients.
  LossTerms loss(const HeteroSample& sample);

  const std::vector<HeteroMember>& members() const { return members_; }

  /// The precision messages travel in (wire.hpp): every collaborator's sender
  /// output (NegoCollab) or local feature (naive sharing) is rounded to it before
  /// the ego receives it. Default fp32 (unchanged).
  void set_wire(WireFormat format) { wire_ = format; }
  WireFormat wire() const { return wire_; }

  /// Keeps each member's local representation of each (scenario, timestamp, agent
  /// id) in memory, and its sender's message and prompt, up to `max_bytes`
  /// (local_cache.hpp), for every later mode, ego type and pose-noise level this
  /// object runs; late fusion reuses the local too. Valid because encoders and
  /// senders are frozen here, both work in the agent's own frame and an agent's
  /// sensor data does not depend on the loader's pose noise (warps come after); do
  /// not use it on augmented data or while a sender trains. 0 turns it off.
  void cache_locals(std::size_t max_bytes) {
    cache_ = max_bytes > 0 ? std::make_unique<LocalCache>(max_bytes) : nullptr;
  }
  /// The cache of cache_locals(), or null.
  const LocalCache* local_cache() const { return cache_.get(); }

 private:
  /// Agent k's local feature [1, C, H, W] from its member's encoder, in the dtype
  /// the encoder ends in (CollabDetector::encode_native), through the cache if any,
  /// then the member's store if any.
  at::Tensor local_native(const HeteroSample& sample, size_t k);

  /// `compute()` (no grad) for agent k, or its cached value under
  /// (what, agent k's type, scenario, timestamp, agent id) when cache_locals is on.
  at::Tensor cached(const char* what, const HeteroSample& sample, size_t k,
                    const std::function<at::Tensor()>& compute);

  std::vector<HeteroMember> members_;
  WireFormat wire_ = WireFormat::kFp32;
  std::unique_ptr<LocalCache> cache_;
};

}  // namespace concord::pipeline
