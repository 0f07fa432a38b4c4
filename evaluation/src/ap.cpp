#include "concord/eval/ap.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "concord/eval/tensor_convert.hpp"
#include "footprint.hpp"

namespace concord::eval {

double voc_ap(const std::vector<double>& recall, const std::vector<double>& precision) {
  if (recall.size() != precision.size()) {
    throw std::invalid_argument("voc_ap: " + std::to_string(precision.size()) +
                                " precision values, expected one per recall value (" +
                                std::to_string(recall.size()) + ")");
  }
  std::vector<double> mrec;
  std::vector<double> mpre;
  mrec.reserve(recall.size() + 2);
  mpre.reserve(recall.size() + 2);
  mrec.push_back(0.0);
  mpre.push_back(0.0);
  mrec.insert(mrec.end(), recall.begin(), recall.end());
  mpre.insert(mpre.end(), precision.begin(), precision.end());
  mrec.push_back(1.0);
  mpre.push_back(0.0);
  for (std::size_t i = mpre.size() - 1; i-- > 0;) mpre[i] = std::max(mpre[i], mpre[i + 1]);
  double ap = 0.0;
  for (std::size_t i = 1; i < mrec.size(); ++i) {
    if (mrec[i] != mrec[i - 1]) ap += (mrec[i] - mrec[i - 1]) * mpre[i];
  }
  return ap;
}

// ---------------------------------------------------------------------------
// ApEvaluator

ApEvaluator::ApEvaluator(std::vector<double> iou_thresholds)
    : iou_thresholds_(std::move(iou_thresholds)), entries_(iou_thresholds_.size()) {
  if (iou_thresholds_.empty()) {
    throw std::invalid_argument("ApEvaluator: empty iou_thresholds, expected at least one");
  }
  for (double t : iou_thresholds_) {
    if (!(t > 0.0 && t <= 1.0)) {
      throw std::invalid_argument("ApEvaluator: iou threshold " + std::to_string(t) +
                                  ", expected a value in (0, 1]");
    }
  }
}

void ApEvaluator::add_frame(const std::vector<Box7>& det_boxes,
                            const std::vector<double>& det_scores,
                            const std::vector<Box7>& gt_boxes) {
  if (det_boxes.size() != det_scores.size()) {
    throw std::invalid_argument("add_frame: " + std::to_string(det_scores.size()) +
                                " det_scores, expected one per det box (" +
                                std::to_string(det_boxes.size()) + ")");
  }
  for (std::size_t i = 0; i < det_scores.size(); ++i) {
    if (!std::isfinite(det_scores[i])) {
      throw std::invalid_argument("add_frame: det_scores[" + std::to_string(i) + "] = " +
                                  std::to_string(det_scores[i]) + ", expected a finite score");
    }
  }

  // Detections by descending score (np.argsort(-det_score); ties: lower index first).
  std::vector<std::size_t> order(det_boxes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return det_scores[a] > det_scores[b]; });

  // IoUs of every detection with every GT, as float32 like OpenCOOD's compute_iou.
  const detail::FootprintSet det_fp(det_boxes);
  const detail::FootprintSet gt_fp(gt_boxes);
  const std::size_t num_gt = gt_boxes.size();
  std::vector<float> ious(det_boxes.size() * num_gt);
  for (std::size_t d = 0; d < det_boxes.size(); ++d) {
    for (std::size_t g = 0; g < num_gt; ++g) {
      ious[d * num_gt + g] = static_cast<float>(det_fp.iou(d, gt_fp, g));
    }
  }

  for (std::size_t t = 0; t < iou_thresholds_.size(); ++t) {
    const float threshold = static_cast<float>(iou_thresholds_[t]);
    std::vector<bool> matched(num_gt, false);
    for (std::size_t d : order) {
      // Best still-unmatched GT; the first one on ties (np.argmax after list.pop).
      std::size_t best = num_gt;
      float best_iou = 0.0f;
      for (std::size_t g = 0; g < num_gt; ++g) {
        if (matched[g]) continue;
        const float v = ious[d * num_gt + g];
        if (best == num_gt || v > best_iou) {
          best = g;
          best_iou = v;
        }
      }
      const bool tp = best != num_gt && !(best_iou < threshold);
      if (tp) matched[best] = true;
      entries_[t].push_back(Entry{det_scores[d], tp});
    }
  }
  num_gt_ += static_cast<int64_t>(num_gt);
  ++num_frames_;
}

void ApEvaluator::add_frame(const at::Tensor& det_boxes, const at::Tensor& det_scores,
                            const at::Tensor& gt_boxes) {
  const std::vector<Box7> gt = boxes_from_tensor(gt_boxes, "gt_boxes");
  if (!det_boxes.defined()) {
    add_frame(std::vector<Box7>{}, std::vector<double>{}, gt);
    return;
  }
  add_frame(boxes_from_tensor(det_boxes, "det_boxes"), scores_from_tensor(det_scores, "det_scores"),
            gt);
}

ApResults ApEvaluator::compute() const {
  ApResults results;
  results.num_frames = num_frames_;
  results.num_gt = num_gt_;
  results.num_detections = static_cast<int64_t>(entries_.front().size());
  for (std::size_t t = 0; t < iou_thresholds_.size(); ++t) {
    // Global sort of all detections by descending score (HEAL calculate_ap).
    std::vector<Entry> sorted = entries_[t];
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Entry& a, const Entry& b) { return a.score > b.score; });
    ApThresholdResult r;
    r.iou_threshold = iou_thresholds_[t];
    r.recall.reserve(sorted.size());
    r.precision.reserve(sorted.size());
    for (const Entry& e : sorted) {
      (e.tp ? r.num_tp : r.num_fp) += 1;
      r.recall.push_back(num_gt_ > 0 ? static_cast<double>(r.num_tp) / num_gt_ : 0.0);
      r.precision.push_back(static_cast<double>(r.num_tp) /
                            static_cast<double>(r.num_tp + r.num_fp));
    }
    r.ap = voc_ap(r.recall, r.precision);
    results.thresholds.push_back(std::move(r));
  }
  return results;
}

void ApEvaluator::reset() {
  for (auto& e : entries_) e.clear();
  num_frames_ = 0;
  num_gt_ = 0;
}

// ---------------------------------------------------------------------------
// ApResults

double ApResults::ap_at(double iou_threshold) const {
  for (const ApThresholdResult& r : thresholds) {
    if (std::abs(r.iou_threshold - iou_threshold) <= 1e-9) return r.ap;
  }
  throw std::out_of_range("ap_at: iou threshold " + std::to_string(iou_threshold) +
                          " was not evaluated, expected one of the evaluator's thresholds");
}

namespace {

std::string format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, a);
  return buf;
}

}  // namespace

std::string ApResults::to_table() const {
  std::ostringstream os;
  os << "IoU    AP (%)        TP        FP\n";
  for (const ApThresholdResult& r : thresholds) {
    char line[128];
    std::snprintf(line, sizeof(line), "%-5.2f %7.2f %9lld %9lld\n", r.iou_threshold, 100.0 * r.ap,
                  static_cast<long long>(r.num_tp), static_cast<long long>(r.num_fp));
    os << line;
  }
  os << "frames: " << num_frames << ", GT: " << num_gt << ", detections: " << num_detections
     << "\n";
  return os.str();
}

std::string ApResults::to_csv() const {
  std::ostringstream os;
  os << "iou_threshold,ap,num_tp,num_fp,num_gt,num_detections,num_frames\n";
  for (const ApThresholdResult& r : thresholds) {
    os << format("%.2f", r.iou_threshold) << ',' << format("%.6f", r.ap) << ',' << r.num_tp << ','
       << r.num_fp << ',' << num_gt << ',' << num_detections << ',' << num_frames << '\n';
  }
  return os.str();
}

std::string ApResults::to_json(bool include_curves, int indent) const {
  nlohmann::json j;
  j["num_frames"] = num_frames;
  j["num_gt"] = num_gt;
  j["num_detections"] = num_detections;
  j["results"] = nlohmann::json::array();
  for (const ApThresholdResult& r : thresholds) {
    nlohmann::json e;
    e["iou_threshold"] = r.iou_threshold;
    e["ap"] = r.ap;
    e["num_tp"] = r.num_tp;
    e["num_fp"] = r.num_fp;
    if (include_curves) {
      e["recall"] = r.recall;
      e["precision"] = r.precision;
    }
    j["results"].push_back(std::move(e));
  }
  return j.dump(indent) + "\n";
}

void ApResults::save(const std::string& path) const {
  const auto ends_with = [&](const std::string& ext) {
    return path.size() >= ext.size() &&
           path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
  };
  std::string text;
  if (ends_with(".json")) {
    text = to_json();
  } else if (ends_with(".csv")) {
    text = to_csv();
  } else if (ends_with(".txt")) {
    text = to_table();
  } else {
    throw std::invalid_argument("ApResults::save: '" + path +
                                "' has an unknown extension, expected .txt, .csv or .json");
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    throw std::runtime_error("ApResults::save: cannot write '" + path + "'");
  }
}

}  // namespace concord::eval
