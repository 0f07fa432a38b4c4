#pragma once
/// \file
/// A BEV grid: the metric rectangle a feature map covers and its cell size.
/// Feature layout convention (HEAL): [.., H, W] with W along x and H along y,
/// cell (h, w) centred at x = x_min + (w + 0.5) res, y = y_min + (h + 0.5) res.

#include <cstdint>
#include <string>

#include "concord/export.hpp"

namespace concord {

/// Metric extent (agent LiDAR frame, m) and resolution (m per cell) of a BEV map.
struct CONCORD_CORE_API BevGrid {
  double x_min = -51.2, x_max = 51.2;  ///< m, along W
  double y_min = -51.2, y_max = 51.2;  ///< m, along H
  double resolution = 0.8;             ///< m per cell

  /// Cells along x: round((x_max - x_min) / resolution).
  int64_t width() const;
  /// Cells along y: round((y_max - y_min) / resolution).
  int64_t height() const;
  /// The same extent at `factor` times coarser cells (e.g. a stride-2 feature map).
  BevGrid downsampled(double factor) const;
  /// Throws ConfigError naming the value when the extent is empty, the
  /// resolution is not positive, or the extent is not a whole number of cells.
  void validate() const;
  /// "[-51.2, 51.2] x [-51.2, 51.2] m at 0.8 m (128 x 128)".
  std::string str() const;
};

}  // namespace concord
