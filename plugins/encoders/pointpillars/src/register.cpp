// Registration of the "pointpillars" encoder factory: plugin.toml parameters →
// PointPillarsOptions.
#include "concord/plugin.hpp"
#include "pointpillars_encoder.hpp"

namespace {

concord::plugins::PointPillarsOptions options_from(const concord::ParamSet& p) {
  concord::plugins::PointPillarsOptions o;
  o.grid = concord::plugins::PillarGrid::make(
      p.get_float("x_min"), p.get_float("x_max"), p.get_float("y_min"), p.get_float("y_max"),
      p.get_float("z_min"), p.get_float("z_max"), p.get_float("pillar_size"));
  o.max_points_per_pillar = p.get_int("max_points_per_pillar");
  o.max_pillars_train = p.get_int("max_pillars_train");
  o.max_pillars_eval = p.get_int("max_pillars_eval");
  o.pfn.filters = p.get_int_list("pfn_filters");
  o.pfn.use_norm = p.get_bool("pfn_use_norm");
  o.backbone.layer_nums = p.get_int_list("backbone_layer_nums");
  o.backbone.layer_strides = p.get_int_list("backbone_layer_strides");
  o.backbone.num_filters = p.get_int_list("backbone_num_filters");
  o.backbone.upsample_strides = p.get_float_list("backbone_upsample_strides");
  o.backbone.num_upsample_filters = p.get_int_list("backbone_upsample_filters");
  o.out_channels = p.get_int("out_channels");
  return o;
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Encoder>("pointpillars", 1, [](const concord::ParamSet& p) {
    return std::make_shared<concord::plugins::PointPillarsEncoder>(options_from(p));
  });
}

}  // namespace

CONCORD_PLUGIN("pointpillars", "1.0.0", register_factories, {"encoder", "pointpillars", 1})
