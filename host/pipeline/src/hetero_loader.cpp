#include "concord/pipeline/hetero_loader.hpp"

#include <ATen/ATen.h>

#include <algorithm>

#include "concord/error.hpp"
#include "concord/pipeline/data_source.hpp"

namespace concord::pipeline {

std::vector<size_t> fixed_type_indices(const DataSpec& data,
                                       const std::vector<std::string>& member_names) {
  std::vector<size_t> out;
  for (const std::string& type : data.agent_types) {
    const auto it = std::find(member_names.begin(), member_names.end(), type);
    if (it == member_names.end()) {
      std::string names;
      for (const auto& n : member_names) names += (names.empty() ? "" : ", ") + n;
      throw ConfigError("[data] fixes agent type \"" + type +
                        "\" (data.vehicle_type / data.roadside_type), which is not a member of "
                        "this run (" +
                        names + ")");
    }
    out.push_back(static_cast<size_t>(it - member_names.begin()));
  }
  return out;
}

HeteroLoader::HeteroLoader(const DataSpec& data, const std::string& split,
                           const loader::LoaderOptions& base, std::vector<TypeSensors> types,
                           uint64_t seed, int ego_type, std::vector<size_t> fixed_types)
    : seed_(seed), ego_type_(ego_type), fixed_types_(std::move(fixed_types)) {
  TORCH_CHECK(!types.empty(), "HeteroLoader: no agent types");
  TORCH_CHECK(ego_type < static_cast<int>(types.size()), "HeteroLoader: ego type ", ego_type,
              " out of range");
  for (size_t t : fixed_types_)
    TORCH_CHECK(t < types.size(), "HeteroLoader: fixed type ", t, " out of range (", types.size(),
                " types)");
  TORCH_CHECK(
      ego_type < 0 || fixed_types_.empty() || fixed_types_.front() == static_cast<size_t>(ego_type),
      "HeteroLoader: ego type ", ego_type, " contradicts the fixed ego type ",
      fixed_types_.empty() ? 0 : fixed_types_.front());
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
    if (!fixed_types_.empty()) {
      TORCH_CHECK(k < fixed_types_.size(), "HeteroLoader: ", first.scenario, "/", first.timestamp,
                  " has ", first.agents.size(), " agents; the fixed assignment names ",
                  fixed_types_.size());
      s.types.push_back(fixed_types_[k]);
      continue;
    }
    s.types.push_back(k == 0 && ego_type_ >= 0 ? static_cast<size_t>(ego_type_)
                                               : assign_type(first.scenario, first.agents[k].id,
                                                             loaders_.size(), seed_));
  }
  return s;
}

}  // namespace concord::pipeline
