#include "concord/eval/nms.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "concord/eval/tensor_convert.hpp"
#include "footprint.hpp"

namespace concord::eval {

std::vector<int64_t> nms_rotated(const std::vector<Box7>& boxes, const std::vector<double>& scores,
                                 double iou_threshold, int64_t max_candidates) {
  if (boxes.size() != scores.size()) {
    throw std::invalid_argument("nms_rotated: " + std::to_string(scores.size()) +
                                " scores, expected one per box (" + std::to_string(boxes.size()) +
                                ")");
  }
  if (max_candidates < 0) {
    throw std::invalid_argument("nms_rotated: max_candidates " + std::to_string(max_candidates) +
                                ", expected >= 0");
  }
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(scores[i])) {
      throw std::invalid_argument("nms_rotated: scores[" + std::to_string(i) +
                                  "] is NaN, expected a number");
    }
  }
  std::vector<int64_t> order(boxes.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  if (order.size() > static_cast<std::size_t>(max_candidates)) {
    order.resize(static_cast<std::size_t>(max_candidates));
  }

  // Footprints of the candidates only, in rank order.
  std::vector<Box7> ranked;
  ranked.reserve(order.size());
  for (int64_t i : order) ranked.push_back(boxes[static_cast<std::size_t>(i)]);
  const detail::FootprintSet footprints(ranked);

  // OpenCOOD's IoUs are float32, compared with the threshold in float32.
  const float threshold = static_cast<float>(iou_threshold);
  std::vector<bool> removed(ranked.size(), false);
  std::vector<int64_t> keep;
  for (std::size_t r = 0; r < ranked.size(); ++r) {
    if (removed[r]) continue;
    keep.push_back(order[r]);
    for (std::size_t q = r + 1; q < ranked.size(); ++q) {
      if (!removed[q] && static_cast<float>(footprints.iou(r, footprints, q)) > threshold) {
        removed[q] = true;
      }
    }
  }
  return keep;
}

at::Tensor nms_rotated(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold,
                       int64_t max_candidates) {
  return indices_to_tensor(nms_rotated(boxes_from_tensor(boxes), scores_from_tensor(scores),
                                       iou_threshold, max_candidates));
}

std::vector<int64_t> score_filter(const std::vector<double>& scores, double threshold) {
  std::vector<int64_t> keep;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] > threshold) keep.push_back(static_cast<int64_t>(i));
  }
  return keep;
}

at::Tensor score_filter(const at::Tensor& scores, double threshold) {
  return indices_to_tensor(score_filter(scores_from_tensor(scores), threshold));
}

namespace {

void check_range(const BoxRange& range) {
  const auto check = [](double lo, double hi, const char* axis) {
    if (std::isnan(lo) || std::isnan(hi) || lo > hi) {
      throw std::invalid_argument(std::string("range_filter: ") + axis + " range [" +
                                  std::to_string(lo) + ", " + std::to_string(hi) +
                                  "], expected min <= max");
    }
  };
  check(range.x_min, range.x_max, "x");
  check(range.y_min, range.y_max, "y");
  check(range.z_min, range.z_max, "z");
}

bool inside(const BoxRange& range, double x, double y, double z) {
  return x >= range.x_min && x <= range.x_max && y >= range.y_min && y <= range.y_max &&
         z >= range.z_min && z <= range.z_max;
}

}  // namespace

std::vector<int64_t> range_filter(const std::vector<Box7>& boxes, const BoxRange& range,
                                  RangeMode mode) {
  check_range(range);
  std::vector<int64_t> keep;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const Box7& box = boxes[i];
    bool ok = true;
    if (mode == RangeMode::kCenter) {
      ok = inside(range, box[kX], box[kY], box[kZ]);
    } else {
      for (const Point3& c : corners_3d(box)) ok = ok && inside(range, c[0], c[1], c[2]);
    }
    if (ok) keep.push_back(static_cast<int64_t>(i));
  }
  return keep;
}

at::Tensor range_filter(const at::Tensor& boxes, const BoxRange& range, RangeMode mode) {
  return indices_to_tensor(range_filter(boxes_from_tensor(boxes), range, mode));
}

}  // namespace concord::eval
