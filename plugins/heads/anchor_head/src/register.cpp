#include "anchor_head.hpp"
#include "concord/plugin.hpp"

namespace {

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::DetectionHead>("anchor", 1, [](const concord::ParamSet& p) {
    concord::plugins::AnchorHeadOptions o;
    o.in_channels = p.get_int("in_channels");
    o.anchors_per_cell = p.get_int("anchors_per_cell");
    o.direction = p.get_bool("direction");
    o.prior_probability = p.get_float("prior_probability");
    return std::make_shared<concord::plugins::AnchorHead>(o);
  });
}

}  // namespace

CONCORD_PLUGIN("anchor_head", "1.0.0", register_factories, {"head", "anchor", 1})
