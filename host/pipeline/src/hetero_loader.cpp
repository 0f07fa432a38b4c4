#include "concord/pipeline/hetero_loader.hpp"

#include <ATen/ATen.h>

#include "concord/pipeline/data_source.hpp"

namespace concord::pipeline {

HeteroLoader::HeteroLoader(const DataSpec& data, const std::string& split,
                           const loader::LoaderOptions& base, std::vector<TypeSensors> types,
                           uint64_t seed, int ego_type)
    : seed_(seed), ego_type_(ego_type) {
  TORCH_CHECK(!types.empty(), "HeteroLoader: no agent types");
  TORCH_CHECK(ego_type < static_cast<int>(types.size()), "HeteroLoader: ego type ", ego_type,
              " out of range");
  for (const TypeSensors& t : types) {
    loader::LoaderOptions o = base;
    o.lidar_beams = t.lidar_beams;
    o.cameras = t.cameras;
    o.depth = false;
    o.camera_visible_gt = false;
    loaders_.push_back(open_samples(data, split, o));
  }
}

HeteroSample HeteroLoader::get(size_t index) const {
  HeteroSample s;
  for (const auto& l : loaders_) s.samples.push_back(l->get(index));
  const loader::CollabSample& first = s.samples.front();
  for (size_t k = 0; k < first.agents.size(); ++k) {
    for (const auto& other : s.samples)
      TORCH_CHECK(
          other.agents.size() == first.agents.size() && other.agents[k].id == first.agents[k].id,
          "HeteroLoader: per-type loaders disagree on the agents of ", first.scenario, "/",
          first.timestamp);
    s.types.push_back(k == 0 && ego_type_ >= 0 ? static_cast<size_t>(ego_type_)
                                               : assign_type(first.scenario, first.agents[k].id,
                                                             loaders_.size(), seed_));
  }
  return s;
}

}  // namespace concord::pipeline
