#pragma once
/// \file
/// Opens the samples of an experiment's dataset split whatever its format
/// ([data] format): OPV2V(-H) through formats::Opv2vDataset + loader::CollabLoader,
/// DAIR-V2X-C through formats::DairV2xDataset + loader::DairV2xLoader.

#include <memory>
#include <string>

#include "concord/loader/collab_loader.hpp"
#include "concord/loader/dair_loader.hpp"
#include "concord/loader/sample_source.hpp"
#include "concord/pipeline/experiment.hpp"

namespace concord::pipeline {

/// The DAIR part of a split name: "train" → the first 30 pairs (by time),
/// "validate" → the last 3 of those (a subset of train: the example has no room
/// for a disjoint validation part, and checkpoint selection never sees a test
/// pair), "test" → the last 8 pairs, "all" → every pair. Throws ConfigError
/// naming the value and the accepted names for any other split.
loader::DairSplit dair_split(const std::string& split);

/// DAIR loading options for Concord's generic ones: points = lidar_beams > 0
/// (the real sensors' beams, whatever the count), cameras, comm_range_m,
/// gt_range, pose noise and seed. DAIR has no depth images and no visibility
/// maps: `depth` and `camera_visible_gt` are ignored (camera agents get the
/// cooperative GT, depth stays undefined). Intensity is scaled to [0, 1] on both
/// sides (DairLoaderOptions::heal_intensity = false), as SensorInput states.
loader::DairLoaderOptions dair_loader_options(const loader::LoaderOptions& options);

/// Opens split `split` of `data` with `options` and returns its samples; the
/// source owns its dataset. OPV2V: {root}/{split} as before. DAIR-V2X-C:
/// `root` is the dataset folder and `split` is mapped by dair_split();
/// samples have at most options.max_agents agents (the vehicle, then the RSU).
/// Throws formats::FormatError (naming the file) when the data cannot be read,
/// ConfigError for an unknown DAIR split and std::invalid_argument (naming the
/// option) for out-of-range options.
std::unique_ptr<loader::SampleSource> open_samples(const DataSpec& data, const std::string& split,
                                                   const loader::LoaderOptions& options);

}  // namespace concord::pipeline
