#include "concord/eval/iou.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

// Boost 1.74's Boost.Math includes a header it deprecated itself; silence that note.
#define BOOST_ALLOW_DEPRECATED_HEADERS

// Boost 1.74's default robustness policy is kept on purpose: it snaps the overlay to a
// 1e7-step integer grid over the pair's extent (IoU error up to ~5e-7 in a fuzz test,
// like OpenCOOD's float32 corners). BOOST_GEOMETRY_NO_ROBUSTNESS gave wrong areas (IoU 1
// for boxes touching along an edge) for ~1% of collinear-edge pairs in that test.

// GCC 12 reports -Wmaybe-uninitialized inside Boost.Geometry's rescale policy once it is
// inlined here (a false positive in the library); the pragma covers only its headers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/geometry/algorithms/area.hpp>
#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/algorithms/intersection.hpp>
#include <boost/geometry/core/exception.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#pragma GCC diagnostic pop

#include "concord/eval/tensor_convert.hpp"
#include "footprint.hpp"

#include <ATen/ops/empty.h>

namespace concord::eval {

namespace bg = boost::geometry;

namespace detail {

namespace {

using BgPoint = bg::model::d2::point_xy<double>;
/// Counter-clockwise, closed: bev_corners' order.
using BgPolygon = bg::model::polygon<BgPoint, /*ClockWise=*/false, /*Closed=*/true>;
using BgMultiPolygon = bg::model::multi_polygon<BgPolygon>;

struct Footprint {
  BgPolygon polygon;
  double area = 0.0;
  double min_x = 0.0, min_y = 0.0, max_x = 0.0, max_y = 0.0;
  bool valid = false;  ///< false for degenerate boxes (IoU 0)
};

Footprint make_footprint(const Box7& box) {
  Footprint f;
  if (!has_bev_area(box)) return f;
  const std::array<Point2, 4> corners = bev_corners(box);
  auto& ring = f.polygon.outer();
  for (const Point2& c : corners) ring.emplace_back(c[0], c[1]);
  ring.emplace_back(corners[0][0], corners[0][1]);
  bg::correct(f.polygon);  // negative sizes flip the orientation
  f.area = bg::area(f.polygon);
  if (!(f.area > 0.0)) return f;
  f.min_x = f.max_x = corners[0][0];
  f.min_y = f.max_y = corners[0][1];
  for (const Point2& c : corners) {
    f.min_x = std::min(f.min_x, c[0]);
    f.max_x = std::max(f.max_x, c[0]);
    f.min_y = std::min(f.min_y, c[1]);
    f.max_y = std::max(f.max_y, c[1]);
  }
  f.valid = true;
  return f;
}

double footprint_iou(const Footprint& a, const Footprint& b) {
  if (!a.valid || !b.valid) return 0.0;
  if (a.max_x <= b.min_x || b.max_x <= a.min_x || a.max_y <= b.min_y || b.max_y <= a.min_y) {
    return 0.0;  // bounding rectangles at most touch: no common area
  }
  BgMultiPolygon common;
  try {
    bg::intersection(a.polygon, b.polygon, common);
  } catch (const bg::exception& e) {
    throw std::runtime_error(std::string("bev_iou: Boost.Geometry intersection failed (") +
                             e.what() + "), expected two valid rectangles");
  }
  const double inter = bg::area(common);
  const double uni = a.area + b.area - inter;
  if (!(inter > 0.0) || !(uni > 0.0)) return 0.0;
  return std::clamp(inter / uni, 0.0, 1.0);
}

}  // namespace

struct FootprintSet::Impl {
  std::vector<Footprint> footprints;
};

FootprintSet::FootprintSet(const std::vector<Box7>& boxes) : impl_(std::make_unique<Impl>()) {
  impl_->footprints.reserve(boxes.size());
  for (const Box7& box : boxes) impl_->footprints.push_back(make_footprint(box));
}

FootprintSet::~FootprintSet() = default;

std::size_t FootprintSet::size() const {
  return impl_->footprints.size();
}

double FootprintSet::iou(std::size_t i, const FootprintSet& other, std::size_t j) const {
  return footprint_iou(impl_->footprints[i], other.impl_->footprints[j]);
}

}  // namespace detail

double bev_iou(const Box7& a, const Box7& b) {
  return detail::footprint_iou(detail::make_footprint(a), detail::make_footprint(b));
}

IouMatrix bev_iou_matrix(const std::vector<Box7>& a, const std::vector<Box7>& b) {
  const detail::FootprintSet fa(a);
  const detail::FootprintSet fb(b);
  IouMatrix m;
  m.rows = a.size();
  m.cols = b.size();
  m.values.resize(m.rows * m.cols);
  for (std::size_t i = 0; i < m.rows; ++i) {
    for (std::size_t j = 0; j < m.cols; ++j) m.values[i * m.cols + j] = fa.iou(i, fb, j);
  }
  return m;
}

at::Tensor bev_iou_matrix(const at::Tensor& a, const at::Tensor& b) {
  const IouMatrix m = bev_iou_matrix(boxes_from_tensor(a, "a"), boxes_from_tensor(b, "b"));
  at::Tensor out = at::empty({static_cast<int64_t>(m.rows), static_cast<int64_t>(m.cols)},
                             at::TensorOptions().dtype(at::kFloat));
  float* dst = out.data_ptr<float>();
  for (double v : m.values) *dst++ = static_cast<float>(v);
  return out;
}

}  // namespace concord::eval
