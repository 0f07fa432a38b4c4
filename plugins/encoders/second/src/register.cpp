// Registration of the "second" encoder factory: plugin.toml parameters →
// SecondOptions.
#include "concord/plugin.hpp"
#include "second_encoder.hpp"

namespace {

concord::plugins::SecondOptions options_from(const concord::ParamSet& p) {
  concord::plugins::SecondOptions o;
  o.grid = concord::plugins::VoxelGrid::make(
      p.get_float("x_min"), p.get_float("x_max"), p.get_float("y_min"), p.get_float("y_max"),
      p.get_float("z_min"), p.get_float("z_max"), p.get_float("voxel_size_xy"),
      p.get_float("voxel_size_z"));
  o.max_points_per_voxel = p.get_int("max_points_per_voxel");
  o.max_voxels_train = p.get_int("max_voxels_train");
  o.max_voxels_eval = p.get_int("max_voxels_eval");
  o.backbone_3d.out_channels = p.get_int("spconv_out_channels");
  o.backbone.layer_nums = p.get_int_list("backbone_layer_nums");
  o.backbone.layer_strides = p.get_int_list("backbone_layer_strides");
  o.backbone.num_filters = p.get_int_list("backbone_num_filters");
  o.backbone.upsample_strides = p.get_float_list("backbone_upsample_strides");
  o.backbone.num_upsample_filters = p.get_int_list("backbone_upsample_filters");
  o.out_channels = p.get_int("out_channels");
  return o;
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Encoder>("second", 1, [](const concord::ParamSet& p) {
    return std::make_shared<concord::plugins::SecondEncoder>(options_from(p));
  });
}

}  // namespace

CONCORD_PLUGIN("second", "1.0.0", register_factories, {"encoder", "second", 1})
