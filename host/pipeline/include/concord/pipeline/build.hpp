#pragma once
/// \file
/// Builds a CollabDetector from an experiment through the plugin registry.

#include <memory>

#include "concord/pipeline/collab_detector.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/registry.hpp"

namespace concord::pipeline {

/// The Step-0 detector of the experiment's single agent type. The feature grid
/// is the head's grid (its x_min/x_max/y_min/y_max/cell_size parameters).
/// Throws ConfigError when the experiment does not name exactly one agent type
/// with an [encoder], a [fusion] and a [head]; RegistryError when a plugin fails.
std::shared_ptr<CollabDetector> build_detector(const ExperimentSpec& spec,
                                               const Registry& registry);

/// The components whose weights a detector holds, in a fixed order (encoder, fusion, head).
std::vector<ComponentSpec> detector_components(const ExperimentSpec& spec);

}  // namespace concord::pipeline
