// AP as OpenCOOD/HEAL compute it (sheet §3), on cases computed by hand.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "concord/eval/ap.hpp"
#include "concord/eval/iou.hpp"
#include "concord/eval/tensor_convert.hpp"

namespace ce = concord::eval;

namespace {
/// A 4 m x 2 m car-like box centred at (x, y).
ce::Box7 car(double x, double y = 0.0) {
  return {x, y, 0, 1.5, 2, 4, 0};
}
}  // namespace

TEST(EvalVocAp, InterpolatesPrecisionFromTheRight) {
  // Ranked FP, TP, TP with 3 GT: recall 0, 1/3, 2/3; precision 0, 1/2, 2/3.
  // mrec = [0, 0, 1/3, 2/3, 1], mpre = [0, 0, 1/2, 2/3, 0] -> monotone [2/3, 2/3, 2/3, 2/3, 0].
  // AP = (1/3 - 0) * 2/3 + (2/3 - 1/3) * 2/3 + (1 - 2/3) * 0 = 4/9
  // (without the monotone step it would be 1/3 * 1/2 + 1/3 * 2/3 = 5/18).
  EXPECT_NEAR(ce::voc_ap({0.0, 1.0 / 3, 2.0 / 3}, {0.0, 0.5, 2.0 / 3}), 4.0 / 9.0, 1e-12);
  EXPECT_EQ(ce::voc_ap({}, {}), 0.0);
  EXPECT_NEAR(ce::voc_ap({1.0}, {1.0}), 1.0, 1e-12);
  EXPECT_THROW(ce::voc_ap({0.5}, {}), std::invalid_argument);
}

TEST(EvalAp, HandComputedTwoFrameCase) {
  ce::ApEvaluator ev;
  // Frame A: 1 GT (missed); two false positives with scores 0.6 (far away) and 0.9
  // (beside the GT: y in [1.5, 3.5] vs [-1, 1], no overlap).
  ev.add_frame({car(30), car(0, 2.5)}, {0.6, 0.9}, {car(0)});
  // Frame B: 2 GT, both found: score 0.7 (IoU 3.8*2 / (16 - 7.6) = 0.905) and 0.8 (IoU 1).
  ev.add_frame({car(10.2), car(0)}, {0.7, 0.8}, {car(0), car(10)});
  // Global score order: 0.9 FP, 0.8 TP, 0.7 TP, 0.6 FP; 3 GT.
  //   cumulative TP 0 1 2 2, FP 1 1 1 2 -> recall 0, 1/3, 2/3, 2/3;
  //   precision 0, 1/2, 2/3, 1/2.
  //   mrec = [0, 0, 1/3, 2/3, 2/3, 1]; mpre = [0, 0, 1/2, 2/3, 1/2, 0]
  //   -> monotone from the right [2/3, 2/3, 2/3, 2/3, 1/2, 0].
  //   AP = 1/3 * 2/3 + 1/3 * 2/3 + 1/3 * 0 = 4/9 at every threshold (all IoUs >= 0.905 or 0).
  // Frame-local concatenation (OpenCOOD without --global_sort_detections) would rank
  // FP, FP, TP, TP: AP = 1/3 * 1/2 + 1/3 * 1/2 = 1/3, so this also checks the global sort.
  const ce::ApResults r = ev.compute();
  EXPECT_EQ(r.num_frames, 2);
  EXPECT_EQ(r.num_gt, 3);
  EXPECT_EQ(r.num_detections, 4);
  ASSERT_EQ(r.thresholds.size(), 3u);
  for (const ce::ApThresholdResult& t : r.thresholds) {
    EXPECT_NEAR(t.ap, 4.0 / 9.0, 1e-12) << "IoU " << t.iou_threshold;
    EXPECT_EQ(t.num_tp, 2);
    EXPECT_EQ(t.num_fp, 2);
  }
  EXPECT_NEAR(r.ap_at(0.5), 4.0 / 9.0, 1e-12);
  ASSERT_EQ(r.thresholds[0].recall.size(), 4u);
  EXPECT_NEAR(r.thresholds[0].precision[2], 2.0 / 3.0, 1e-12);
  EXPECT_THROW(r.ap_at(0.6), std::out_of_range);
}

TEST(EvalAp, PerfectDetectionsGiveOne) {
  ce::ApEvaluator ev;
  ev.add_frame({car(0), car(10, 5)}, {0.9, 0.3}, {car(10, 5), car(0)});
  ev.add_frame({car(-20)}, {0.5}, {car(-20)});
  const ce::ApResults r = ev.compute();
  for (const ce::ApThresholdResult& t : r.thresholds) {
    EXPECT_NEAR(t.ap, 1.0, 1e-12) << t.iou_threshold;
    EXPECT_EQ(t.num_fp, 0);
  }
}

TEST(EvalAp, NoDetectionsGiveZero) {
  ce::ApEvaluator ev;
  ev.add_frame(std::vector<ce::Box7>{}, {}, {car(0), car(10)});
  // OpenCOOD's None predictions: undefined det tensors.
  ev.add_frame(at::Tensor(), at::Tensor(), ce::boxes_to_tensor({car(5)}));
  const ce::ApResults r = ev.compute();
  EXPECT_EQ(r.num_gt, 3);
  EXPECT_EQ(r.num_detections, 0);
  for (const ce::ApThresholdResult& t : r.thresholds) EXPECT_EQ(t.ap, 0.0);
}

TEST(EvalAp, NoGroundTruthGivesZeroNotNan) {
  ce::ApEvaluator ev;
  ev.add_frame({car(0)}, {0.9}, {});
  const ce::ApResults r = ev.compute();
  EXPECT_EQ(r.ap_at(0.3), 0.0);
  EXPECT_EQ(r.thresholds[0].num_fp, 1);
}

TEST(EvalAp, ThresholdDependence) {
  // Shift 1 m along the length: inter 3 x 2 = 6, union 16 - 6 = 10, IoU 0.6:
  // TP at 0.3 and 0.5, FP at 0.7.
  ASSERT_NEAR(ce::bev_iou(car(1), car(0)), 0.6, 1e-12);
  ce::ApEvaluator ev;
  ev.add_frame({car(1)}, {0.8}, {car(0)});
  const ce::ApResults r = ev.compute();
  EXPECT_NEAR(r.ap_at(0.3), 1.0, 1e-12);
  EXPECT_NEAR(r.ap_at(0.5), 1.0, 1e-12);
  EXPECT_EQ(r.ap_at(0.7), 0.0);
  EXPECT_EQ(r.thresholds[2].num_fp, 1);
}

TEST(EvalAp, IouEqualToThresholdIsAMatch) {
  // A 2 x 1 detection inside a 2 x 2 GT: IoU exactly 0.5. OpenCOOD marks FP only when
  // max IoU < threshold, so it is a TP at 0.5.
  const ce::Box7 gt{0, 0, 0, 1, 2, 2, 0};
  const ce::Box7 det{0, 0, 0, 1, 1, 2, 0};
  ASSERT_EQ(ce::bev_iou(det, gt), 0.5);
  ce::ApEvaluator ev({0.5, 0.51});
  ev.add_frame({det}, {0.9}, {gt});
  const ce::ApResults r = ev.compute();
  EXPECT_NEAR(r.ap_at(0.5), 1.0, 1e-12);
  EXPECT_EQ(r.ap_at(0.51), 0.0);
}

TEST(EvalAp, MatchesInScoreOrderAndEachGtAtMostOnce) {
  // Given in the order [0.7 (IoU 0.87), 0.8 (IoU 1)] against one GT: the 0.8 detection is
  // matched first (TP); the 0.7 one finds the GT taken (FP). Ranked TP, FP with 1 GT:
  // recall 1, 1; precision 1, 1/2 -> AP = 1 * 1 = 1. Matching in input order would rank
  // FP (0.8), TP (0.7): AP = 1 * 1/2.
  ce::ApEvaluator ev;
  ev.add_frame({car(0.3), car(0)}, {0.7, 0.8}, {car(0)});
  const ce::ApResults r = ev.compute();
  EXPECT_NEAR(r.ap_at(0.5), 1.0, 1e-12);
  EXPECT_EQ(r.thresholds[1].num_tp, 1);
  EXPECT_EQ(r.thresholds[1].num_fp, 1);
}

TEST(EvalAp, TensorFormAndReset) {
  ce::ApEvaluator ev;
  ev.add_frame(ce::boxes_to_tensor({car(1)}), ce::scores_to_tensor({0.8}),
               ce::boxes_to_tensor({car(0)}));
  EXPECT_NEAR(ev.compute().ap_at(0.5), 1.0, 1e-6);
  EXPECT_EQ(ev.compute().ap_at(0.7), 0.0);
  EXPECT_THROW(ev.add_frame(ce::boxes_to_tensor({car(1)}), ce::scores_to_tensor({0.8, 0.1}),
                            ce::boxes_to_tensor({car(0)})),
               std::invalid_argument);
  ev.reset();
  EXPECT_EQ(ev.num_frames(), 0);
  EXPECT_EQ(ev.compute().num_gt, 0);
}

TEST(EvalAp, RejectsBadInputs) {
  EXPECT_THROW(ce::ApEvaluator(std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(ce::ApEvaluator({0.0}), std::invalid_argument);
  EXPECT_THROW(ce::ApEvaluator({1.5}), std::invalid_argument);
  ce::ApEvaluator ev;
  EXPECT_THROW(ev.add_frame({car(0)}, {}, {}), std::invalid_argument);
  EXPECT_THROW(ev.add_frame({car(0)}, {NAN}, {}), std::invalid_argument);
}

TEST(EvalApResults, TableCsvJsonAndSave) {
  ce::ApEvaluator ev;
  ev.add_frame({car(1)}, {0.8}, {car(0)});  // AP 1, 1, 0
  const ce::ApResults r = ev.compute();

  const std::string table = r.to_table();
  EXPECT_NE(table.find("0.50   100.00"), std::string::npos) << table;
  EXPECT_NE(table.find("0.70     0.00"), std::string::npos) << table;
  EXPECT_NE(table.find("frames: 1, GT: 1, detections: 1"), std::string::npos) << table;

  EXPECT_EQ(r.to_csv(),
            "iou_threshold,ap,num_tp,num_fp,num_gt,num_detections,num_frames\n"
            "0.30,1.000000,1,0,1,1,1\n"
            "0.50,1.000000,1,0,1,1,1\n"
            "0.70,0.000000,0,1,1,1,1\n");

  const nlohmann::json j = nlohmann::json::parse(r.to_json(true));
  EXPECT_EQ(j.at("num_gt"), 1);
  EXPECT_EQ(j.at("num_detections"), 1);
  ASSERT_EQ(j.at("results").size(), 3u);
  EXPECT_DOUBLE_EQ(j.at("results")[1].at("ap").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j.at("results")[2].at("iou_threshold").get<double>(), 0.7);
  EXPECT_EQ(j.at("results")[2].at("num_fp"), 1);
  EXPECT_EQ(j.at("results")[0].at("recall").size(), 1u);
  EXPECT_FALSE(nlohmann::json::parse(r.to_json()).at("results")[0].contains("recall"));

  const std::string path = testing::TempDir() + "concord_eval_results.csv";
  r.save(path);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), r.to_csv());
  std::remove(path.c_str());
  EXPECT_THROW(r.save(testing::TempDir() + "results.yaml"), std::invalid_argument);
  EXPECT_THROW(r.save("/nonexistent_dir/results.json"), std::runtime_error);
}
