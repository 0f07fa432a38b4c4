// PointCloud: a float32 row-major point matrix with named columns.
#pragma once

#include <Eigen/Core>
#include "concord/formats/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace concord::formats {

/// N x C float32 matrix, row-major (one point per row).
using PointMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A point cloud as read from a PCD file: `points` is N x C (C = columns.size()),
/// values in the file's units (OPV2V / DAIR-V2X: metres, sensor frame).
/// Column names follow the PCD FIELDS line; see pcd.hpp for how COUNT > 1 and
/// packed rgb fields are named.
struct PointCloud {
  std::vector<std::string> columns;  ///< one name per column of `points`
  PointMatrix points;                ///< N x columns.size()

  /// Number of points N.
  Eigen::Index size() const { return points.rows(); }
  /// Index of column `name`, or -1 when absent.
  std::ptrdiff_t column_index(std::string_view name) const;
  /// True when column `name` exists.
  bool has_column(std::string_view name) const { return column_index(name) >= 0; }
};

/// OpenCOOD's N x 4 [x, y, z, intensity] view of a cloud (sheet §1.1, PCD).
/// Intensity comes from column "intensity", else "i", else "r" (Open3D-written
/// OPV2V files keep intensity in colour channel 0, which read_pcd unpacks to
/// r in [0, 1]), else 0. Throws FormatError (file name `source`) when x, y or z
/// is missing.
PointMatrix to_xyzi(const PointCloud& cloud, const std::string& source = "");

/// Drops the points that hit the sensor's own vehicle: rows with
/// x in [-1.95, 2.95] and y in [-1.1, 1.1] (inclusive, metres, sensor frame;
/// sheet §1.1 "Points inside the ego box are dropped"). `points` is N x C with
/// x, y in columns 0, 1; returns M x C with the row order kept.
PointMatrix remove_ego_points(const PointMatrix& points);

}  // namespace concord::formats
