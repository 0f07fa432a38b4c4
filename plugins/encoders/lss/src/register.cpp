// Registration of the LSS camera encoder factories "lss_efficientnet" (m2) and
// "lss_resnet" (m4): plugin.toml parameters → LssOptions.
#include "concord/plugin.hpp"
#include "lss_encoder.hpp"

namespace {

using concord::plugins::lss::LssOptions;
using concord::plugins::lss::TrunkKind;

LssOptions options_from(const concord::ParamSet& p, TrunkKind trunk) {
  LssOptions o;
  o.trunk = trunk;
  o.trunk_width = p.get_float("trunk_width");
  o.image_height = p.get_int("image_height");
  o.image_width = p.get_int("image_width");
  o.bins.d_min = p.get_float("depth_min");
  o.bins.d_max = p.get_float("depth_max");
  o.bins.count = p.get_int("depth_bins");
  o.context_channels = p.get_int("context_channels");
  o.grid = concord::plugins::lss::BevGrid::make(
      p.get_float("x_min"), p.get_float("x_max"), p.get_float("y_min"), p.get_float("y_max"),
      p.get_float("z_min"), p.get_float("z_max"), p.get_float("bev_cell_size"));
  o.out_cell_size = p.get_float("out_cell_size");
  o.backbone_blocks = p.get_int("backbone_blocks");
  o.out_channels = p.get_int("out_channels");
  o.depth_loss_weight = p.get_float("depth_loss_weight");
  return o;
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Encoder>("lss_efficientnet", 1, [](const concord::ParamSet& p) {
    return std::make_shared<concord::plugins::lss::LssEncoder>(
        options_from(p, TrunkKind::kEfficientNet));
  });
  registrar.add<concord::Encoder>("lss_resnet", 1, [](const concord::ParamSet& p) {
    return std::make_shared<concord::plugins::lss::LssEncoder>(options_from(p, TrunkKind::kResNet));
  });
}

}  // namespace

CONCORD_PLUGIN("lss", "1.0.0", register_factories, {"encoder", "lss_efficientnet", 1},
               {"encoder", "lss_resnet", 1})
