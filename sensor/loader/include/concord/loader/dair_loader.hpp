#pragma once
/// \file
/// Turns DAIR-V2X-C vehicle+infrastructure pairs into CollabSample tensors
/// (sheet §1.3): vehicle = ego (agent 0), RSU = collaborator (agent 1).
///
/// Frames: DAIR LiDAR frames are right-handed (x forward, y left, z up, m), not
/// CARLA's left-handed ones; every tensor of a DAIR sample is in DAIR frames, so
/// points, poses and boxes stay mutually consistent.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "concord/formats/dair_v2x.hpp"
#include "concord/loader/collab_sample.hpp"
#include "concord/loader/sample_source.hpp"

namespace concord::loader {

/// Deterministic split by time of a DAIR dataset's pairs (which DairV2xDataset
/// orders by vehicle timestamp): the first `train_pairs` are train, the last
/// `test_pairs` are test. Defaults fit the 38-pair example (30 / 8).
struct DairSplitOptions {
  std::size_t train_pairs = 30;
  std::size_t test_pairs = 8;
  /// The validation part: the last `validate_pairs` (at most train_pairs) of
  /// the train part. The 38-pair example is too small for a disjoint validation
  /// part; validating on training pairs selects checkpoints without ever looking
  /// at a test pair (its loss is no held-out estimate).
  std::size_t validate_pairs = 3;
};

/// Which pairs a DairV2xLoader serves: all, the train part, the validation
/// part (the end of the train part, see DairSplitOptions) or the test part.
enum class DairSplit { kAll, kTrain, kValidate, kTest };

/// Pair indices of `split` for a dataset of `num_pairs` pairs, ascending. No
/// index is in both train (or validate) and test. Throws std::invalid_argument
/// when train_pairs + test_pairs > num_pairs (the parts would overlap).
std::vector<std::size_t> dair_split_indices(std::size_t num_pairs, DairSplit split,
                                            const DairSplitOptions& options = {});

/// What to load and how (HEAL DAIR settings; sheet §1.3, §4).
struct DairLoaderOptions {
  /// Load both sides' point clouds.
  bool points = true;
  /// Load each side's front camera (image, intrinsics, extrinsics).
  bool cameras = false;
  /// Drop points with x in [-1.95, 2.95] and y in [-1.1, 1.1] of their own
  /// LiDAR (HEAL mask_ego_points, applied to both sides). Non-finite points are always dropped.
  bool remove_ego_points = true;
  /// Intensity scaling. false: divided by the file's full scale (vehicle U1 /
  /// 255, RSU float as is), so both sides are in [0, 1] as SensorInput states.
  /// true: divided by 256 on both sides, exactly as HEAL's pcd_utils.read_pcd
  /// (the RSU's 0..1 intensity then becomes ~0).
  bool heal_intensity = false;
  /// The RSU is dropped when farther than this from the vehicle (2-D distance of
  /// the LiDAR origins, m); HEAL comm_range 100.
  double comm_range_m = 100.0;
  /// GT range in the ego (vehicle LiDAR) frame [xmin, ymin, zmin, xmax, ymax, zmax] (m).
  formats::Range6 gt_range = formats::kDairRange;
  /// Added below zmin and above zmax of gt_range for the GT filter (HEAL
  /// project_world_objects_dairv2x's lidar_range_z_larger: 1 m).
  double gt_z_margin_m = 1.0;
  /// Pose noise (HEAL): Gaussian with these standard deviations added to both
  /// agents' world x, y (m) and yaw (deg; rotation about the world z axis),
  /// seeded by (seed, pair index). Affects ego_from_agent_noisy only.
  double pose_noise_xy_m = 0.0;
  double pose_noise_yaw_deg = 0.0;
  std::uint64_t seed = 0;
  /// Train/test split by time.
  DairSplitOptions split;
};

/// Reads DAIR-V2X-C pairs as CollabSamples: agents[0] = "vehicle" (ego),
/// agents[1] = "infrastructure" when within comm_range_m. Points are [N, 4]
/// float32 (x, y, z in m in the agent's LiDAR frame; intensity per
/// heal_intensity); cameras are [1, 1, 3, 1080, 1920] float32 in [0, 1],
/// intrinsics [1, 1, 3, 3] (cam_K, distorted images), camera_to_lidar
/// [1, 1, 4, 4] (OpenCV camera axes). ego_from_agent = T_vehicle-lidar<-agent-lidar
/// (float64). gt_boxes [M, 7] float32 [x, y, z, h, w, l, yaw] (m, rad, ego frame)
/// = the cooperative world_8_points labels (all types) moved to the vehicle
/// LiDAR frame with the clean pose (OpenCOOD corner_to_center), kept when all 8
/// corners of the Box7 lie in gt_range (z widened by gt_z_margin_m); gt_ids [M]
/// int64 = the object's index in the cooperative label file.
/// scenario = vehicle intersection_loc, timestamp = vehicle frame id.
class DairV2xLoader : public SampleSource {
 public:
  /// Keeps a reference to `dataset` (must outlive the loader) and serves the
  /// pairs of `split`. Throws std::invalid_argument naming the option when
  /// options are out of range or the split parts overlap.
  DairV2xLoader(const formats::DairV2xDataset& dataset, DairLoaderOptions options,
                DairSplit split = DairSplit::kAll);

  /// Number of samples in the split.
  std::size_t size() const override { return indices_.size(); }
  /// Dataset pair index of each sample, ascending (time order).
  const std::vector<std::size_t>& indices() const { return indices_; }
  const DairLoaderOptions& options() const { return options_; }

  /// Sample `index` in [0, size()). Throws std::out_of_range for a bad index and
  /// formats::FormatError (naming the file) for missing or malformed data.
  CollabSample get(std::size_t index) const override;

  /// DairLoaderOptions::gt_range with z widened by gt_z_margin_m: the range the
  /// GT boxes are filtered with.
  formats::Range6 gt_range() const override;

  /// Builds the sample of a loaded pair (pair.index seeds the pose noise).
  /// Throws formats::FormatError naming the file for unreadable data.
  CollabSample from_pair(const formats::DairPair& pair) const;

 private:
  const formats::DairV2xDataset& dataset_;
  DairLoaderOptions options_;
  std::vector<std::size_t> indices_;
};

}  // namespace concord::loader
