#include "concord/formats/point_cloud.hpp"

#include "concord/formats/error.hpp"

namespace concord::formats {

std::ptrdiff_t PointCloud::column_index(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

PointMatrix to_xyzi(const PointCloud& cloud, const std::string& source) {
  const std::ptrdiff_t ix = cloud.column_index("x");
  const std::ptrdiff_t iy = cloud.column_index("y");
  const std::ptrdiff_t iz = cloud.column_index("z");
  if (ix < 0 || iy < 0 || iz < 0) {
    throw FormatError(source, "point cloud has no x/y/z columns");
  }
  std::ptrdiff_t ii = cloud.column_index("intensity");
  if (ii < 0) ii = cloud.column_index("i");
  if (ii < 0) ii = cloud.column_index("r");
  PointMatrix out(cloud.size(), 4);
  out.col(0) = cloud.points.col(ix);
  out.col(1) = cloud.points.col(iy);
  out.col(2) = cloud.points.col(iz);
  if (ii >= 0) {
    out.col(3) = cloud.points.col(ii);
  } else {
    out.col(3).setZero();
  }
  return out;
}

PointMatrix remove_ego_points(const PointMatrix& points) {
  std::vector<Eigen::Index> keep;
  keep.reserve(static_cast<std::size_t>(points.rows()));
  for (Eigen::Index r = 0; r < points.rows(); ++r) {
    const float x = points(r, 0);
    const float y = points(r, 1);
    const bool inside = x >= -1.95f && x <= 2.95f && y >= -1.1f && y <= 1.1f;
    if (!inside) keep.push_back(r);
  }
  PointMatrix out(static_cast<Eigen::Index>(keep.size()), points.cols());
  for (std::size_t k = 0; k < keep.size(); ++k) {
    out.row(static_cast<Eigen::Index>(k)) = points.row(keep[k]);
  }
  return out;
}

}  // namespace concord::formats
