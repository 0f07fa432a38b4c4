#pragma once
// Private: pre-computed BEV footprints shared by iou.cpp, nms.cpp and ap.cpp, so that
// only iou.cpp includes Boost.Geometry and footprints are built once per box.

#include <cstddef>
#include <memory>
#include <vector>

#include "concord/eval/box_geometry.hpp"

namespace concord::eval::detail {

/// BEV footprints (Boost.Geometry polygons, areas, bounding rectangles) of a box list.
class FootprintSet {
 public:
  explicit FootprintSet(const std::vector<Box7>& boxes);
  ~FootprintSet();
  FootprintSet(const FootprintSet&) = delete;
  FootprintSet& operator=(const FootprintSet&) = delete;

  std::size_t size() const;
  /// Rotated BEV IoU of footprint `i` of this set and footprint `j` of `other`, as
  /// bev_iou. Throws std::runtime_error when Boost.Geometry's overlay fails.
  double iou(std::size_t i, const FootprintSet& other, std::size_t j) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace concord::eval::detail
