#include "concord/pipeline/build.hpp"

#include "concord/error.hpp"

namespace concord::pipeline {

std::vector<ComponentSpec> detector_components(const ExperimentSpec& spec) {
  if (spec.agents.size() != 1) {
    throw ConfigError(spec.file.string() +
                      ": a detection (Step 0) experiment names exactly one "
                      "agent type in experiment.agents, got " +
                      std::to_string(spec.agents.size()));
  }
  const AgentSpec& agent = spec.agents.front();
  if (!agent.encoder) {
    throw ConfigError(spec.file.string() + ": agent type " + agent.name + " has no [encoder]");
  }
  if (!spec.fusion) throw ConfigError(spec.file.string() + ": missing [fusion]");
  if (!spec.head) throw ConfigError(spec.file.string() + ": missing [head]");
  return {*agent.encoder, *spec.fusion, *spec.head};
}

std::shared_ptr<CollabDetector> build_detector(const ExperimentSpec& spec,
                                               const Registry& registry) {
  const auto c = detector_components(spec);
  auto encoder = registry.create<Encoder>(c[0].factory, c[0].version, c[0].params);
  auto fusion = registry.create<Fusion>(c[1].factory, c[1].version, c[1].params);
  auto head = registry.create<DetectionHead>(c[2].factory, c[2].version, c[2].params);
  BevGrid grid;
  const ParamSet& hp = c[2].params;
  grid.x_min = hp.get_float("x_min");
  grid.x_max = hp.get_float("x_max");
  grid.y_min = hp.get_float("y_min");
  grid.y_max = hp.get_float("y_max");
  grid.resolution = hp.get_float("cell_size");
  grid.validate();
  return std::make_shared<CollabDetector>(encoder, fusion, head, grid);
}

}  // namespace concord::pipeline
