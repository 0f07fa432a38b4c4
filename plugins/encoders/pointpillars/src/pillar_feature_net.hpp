#pragma once
/// \file
/// Pillar feature net (PFN): decorates each pillar's points to 10-d features and
/// turns them into one feature vector per pillar. HEAL's `PillarVFE` with
/// use_norm, use_absolute_xyz and no distance (opencood/models/sub_modules/
/// pillar_vfe.py, after OpenPCDet); reference/field-conventions.md §2.1.

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "pillarizer.hpp"

namespace concord::plugins {

/// Point features per slot: x, y, z, intensity, offsets to the pillar's point mean
/// (3) and to the pillar centre (3).
inline constexpr int64_t kPillarPointFeatures = 10;

/// Decorated point features [P, M, 10] float32 of `pillars` on `grid`, in this order:
/// x, y, z, intensity (agent LiDAR frame, m); x, y, z minus the mean of the
/// pillar's real points; x - (x_min + (ix + 0.5)·s), y - (y_min + (iy + 0.5)·s),
/// z - (z_min + z_max) / 2. Padded slots (index >= num_points) are all zero, as
/// HEAL's `features *= mask`. Throws c10::Error on malformed pillars.
at::Tensor decorate_pillar_points(const Pillars& pillars, const PillarGrid& grid);

/// One PFN layer: Linear (no bias with norm) → BatchNorm1d (eps 1e-3, momentum
/// 0.01) → ReLU → max over the M slots. [P, M, C_in] → [P, C_out] for the last
/// layer; other layers output C_out / 2 channels per point and concatenate the
/// pillar maximum to each point → [P, M, C_out]. Source: HEAL `PFNLayer`.
/// In eval mode the BatchNorm is folded into the Linear and pillars are processed
/// in chunks (same result up to float rounding, several times faster on CPU).
class PFNLayerImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a size is < 1 or a non-last out_channels is odd.
  PFNLayerImpl(int64_t in_channels, int64_t out_channels, bool use_norm, bool last_layer);
  /// x: [P, M, in_channels] float32. Throws c10::Error on a shape mismatch or P = 0.
  at::Tensor forward(const at::Tensor& x);

 private:
  int64_t in_channels_;
  bool last_layer_;
  torch::nn::Linear linear_{nullptr};
  torch::nn::BatchNorm1d norm_{nullptr};  ///< null without use_norm
};
TORCH_MODULE(PFNLayer);

/// Options of the pillar feature net (HEAL `pillar_vfe`).
struct PillarFeatureNetOptions {
  std::vector<int64_t> filters{64};  ///< output channels per PFN layer (HEAL num_filters)
  bool use_norm = true;              ///< BatchNorm after each Linear (HEAL use_norm)
};

/// PillarVFE: decorate_pillar_points() then the PFN layers (`pfn_layers.<i>`,
/// HEAL's names). Pillars → [P, filters.back()] float32 pillar features.
class PillarFeatureNetImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when filters is empty or holds a size < 1.
  PillarFeatureNetImpl(const PillarFeatureNetOptions& options, const PillarGrid& grid);
  /// pillars: from pillarize() on this net's grid. Returns [P, out_channels()]
  /// float32; [0, out_channels()] when there is no pillar.
  at::Tensor forward(const Pillars& pillars);
  int64_t out_channels() const { return options_.filters.back(); }

 private:
  PillarFeatureNetOptions options_;
  PillarGrid grid_;
  torch::nn::ModuleList pfn_layers_{nullptr};
};
TORCH_MODULE(PillarFeatureNet);

}  // namespace concord::plugins
