#pragma once
/// \file
/// Heterogeneous samples: one frame loaded once per agent type's sensors, with a
/// fixed seeded type assignment per (scenario, agent) (the official code's
/// modality-assignment file; reference negocollab-official-code.md §3, §5).

#include <memory>
#include <string>
#include <vector>

#include "concord/formats/opv2v_dataset.hpp"
#include "concord/loader/collab_loader.hpp"
#include "concord/pipeline/hetero.hpp"

namespace concord::pipeline {

/// Serves HeteroSamples of a dataset split.
class HeteroLoader {
 public:
  /// `base`: the [data] options (range, max agents, pose noise, GT range); the
  /// sensors are set per type. GT is the LiDAR-type cooperative label (every object
  /// in range), the same for every mode and ego type, so that modes compare on
  /// the same boxes. `ego_type`: force the ego's type (index into `types`), or −1
  /// to use the seeded assignment for the ego too. Keeps a reference to `dataset`.
  HeteroLoader(const formats::Opv2vDataset& dataset, const loader::LoaderOptions& base,
               std::vector<TypeSensors> types, uint64_t seed, int ego_type = -1);

  size_t size() const { return dataset_.size(); }

  /// Sample `index`. Throws formats::FormatError naming the file on unreadable
  /// data and c10::Error when the per-type loaders disagree on the agents.
  HeteroSample get(size_t index) const;

 private:
  const formats::Opv2vDataset& dataset_;
  std::vector<std::unique_ptr<loader::CollabLoader>> loaders_;
  uint64_t seed_;
  int ego_type_;
};

}  // namespace concord::pipeline
