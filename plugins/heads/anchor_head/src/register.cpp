#include "anchor_head.hpp"
#include "concord/plugin.hpp"

namespace {

/// Builds the anchor head from the plugin.toml parameters (every key present: the
/// host fills defaults). Throws concord::ConfigError for inconsistent values.
std::shared_ptr<concord::DetectionHead> make_anchor_head(const concord::ParamSet& p) {
  concord::plugins::AnchorHeadOptions o;
  o.in_channels = p.get_int("in_channels");
  o.direction = p.get_bool("direction");
  o.prior_probability = p.get_float("prior_probability");
  o.anchors.anchors_per_cell = p.get_int("anchors_per_cell");
  o.anchors.x_min = p.get_float("x_min");
  o.anchors.y_min = p.get_float("y_min");
  o.anchors.x_max = p.get_float("x_max");
  o.anchors.y_max = p.get_float("y_max");
  o.anchors.cell_size = p.get_float("cell_size");
  o.anchors.l = p.get_float("anchor_l");
  o.anchors.w = p.get_float("anchor_w");
  o.anchors.h = p.get_float("anchor_h");
  o.anchors.z = p.get_float("anchor_z");
  o.assigner.pos_iou = p.get_float("pos_iou");
  o.assigner.neg_iou = p.get_float("neg_iou");
  o.assigner.iou_extent_offset = p.get_float("iou_extent_offset");
  o.assigner.dir_offset = p.get_float("dir_offset");
  o.loss.pos_cls_weight = p.get_float("pos_cls_weight");
  o.loss.cls_weight = p.get_float("cls_weight");
  o.loss.reg_weight = p.get_float("reg_weight");
  o.loss.dir_weight = p.get_float("dir_weight");
  o.loss.focal_alpha = p.get_float("focal_alpha");
  o.loss.focal_gamma = p.get_float("focal_gamma");
  o.loss.smooth_l1_sigma = p.get_float("smooth_l1_sigma");
  o.score_threshold = p.get_float("score_threshold");
  return std::make_shared<concord::plugins::AnchorHead>(o);
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::DetectionHead>("anchor", 1, make_anchor_head);
}

}  // namespace

CONCORD_PLUGIN("anchor_head", "1.0.0", register_factories, {"head", "anchor", 1})
