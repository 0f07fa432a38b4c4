#pragma once
/// \file
/// Heterogeneous samples: one frame loaded once per agent type's sensors, with a
/// fixed seeded type assignment per (scenario, agent) (the official code's
/// modality-assignment file; reference negocollab-official-code.md §3, §5), or
/// with a type fixed per agent position by config (DAIR-V2X-C [data]
/// vehicle_type / roadside_type, see fixed_type_indices).

#include <memory>
#include <string>
#include <vector>

#include "concord/loader/sample_source.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/hetero.hpp"

namespace concord::pipeline {

/// The member index of each fixed agent type: data.agent_types (see DataSpec)
/// looked up in `member_names` (the heterogeneous run's types, in member order).
/// Empty when data.agent_types is empty (seeded assignment). Throws ConfigError
/// naming the type when a fixed type is not among `member_names` (e.g. a run over
/// a subset of the experiment's agents).
std::vector<size_t> fixed_type_indices(const DataSpec& data,
                                       const std::vector<std::string>& member_names);

/// Serves HeteroSamples of a dataset split.
class HeteroLoader {
 public:
  /// `base`: the [data] options (range, max agents, pose noise, GT range); the
  /// sensors are set per type. GT is the LiDAR-type cooperative label (every object
  /// in range), the same for every mode and ego type, so that modes compare on
  /// the same boxes. `ego_type`: force the ego's type (index into `types`), or −1
  /// to use the seeded assignment for the ego too. `fixed_types`: when not empty,
  /// agent k of every sample gets type fixed_types[k] (index into `types`; see
  /// fixed_type_indices) instead of the seeded draw. Opens split `split` of `data`
  /// (any format, see open_samples) once per type; throws as open_samples, and
  /// c10::Error when a type index is out of range or ego_type contradicts
  /// fixed_types[0].
  HeteroLoader(const DataSpec& data, const std::string& split, const loader::LoaderOptions& base,
               std::vector<TypeSensors> types, uint64_t seed, int ego_type = -1,
               std::vector<size_t> fixed_types = {});

  /// Number of samples of the split.
  size_t size() const { return loaders_.front()->size(); }

  /// The ego-frame range the GT boxes are kept in (loader::SampleSource::gt_range).
  formats::Range6 gt_range() const { return loaders_.front()->gt_range(); }

  /// Sample `index`. Throws formats::FormatError naming the file on unreadable
  /// data and c10::Error when the per-type loaders disagree on the agents or a
  /// sample has more agents than fixed_types names.
  HeteroSample get(size_t index) const;

 private:
  std::vector<std::unique_ptr<loader::SampleSource>> loaders_;
  uint64_t seed_;
  int ego_type_;
  std::vector<size_t> fixed_types_;
};

}  // namespace concord::pipeline
