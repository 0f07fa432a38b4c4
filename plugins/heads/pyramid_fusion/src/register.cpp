#include "concord/plugin.hpp"
#include "pyramid_fusion.hpp"

namespace {

/// Builds the pyramid fusion from the plugin.toml parameters (every key present: the host
/// fills defaults). Throws concord::ConfigError for inconsistent values.
std::shared_ptr<concord::Fusion> make_pyramid_fusion(const concord::ParamSet& p) {
  concord::plugins::PyramidFusionOptions o;
  o.in_channels = p.get_int("in_channels");
  o.layer_nums = p.get_int_list("layer_nums");
  o.layer_strides = p.get_int_list("layer_strides");
  o.num_filters = p.get_int_list("num_filters");
  o.upsample_strides = p.get_int_list("upsample_strides");
  o.num_upsample_filters = p.get_int_list("num_upsample_filters");
  o.shrink_channels = p.get_int("shrink_channels");
  o.mask_scores = p.get_bool("mask_scores");
  o.occupancy_weights = p.get_float_list("occupancy_weights");
  o.occupancy_pos_weight = p.get_float("occupancy_pos_weight");
  return std::make_shared<concord::plugins::PyramidFusion>(o);
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Fusion>("pyramid", 1, make_pyramid_fusion);
}

}  // namespace

CONCORD_PLUGIN("pyramid_fusion", "1.0.0", register_factories, {"fusion", "pyramid", 1})
