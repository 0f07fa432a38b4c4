#include <memory>

#include "concord/plugin.hpp"
#include "convnext_trunk.hpp"
#include "fpn_negotiator.hpp"
#include "mean_negotiator.hpp"
#include "resmlp_trunk.hpp"
#include "shared_trunk_negotiator.hpp"
#include "window_transformer_trunk.hpp"

namespace {

using concord::ParamSet;
using namespace concord::plugins::negotiators;

/// The official ResNeXt-FPN negotiator. Throws concord::ConfigError for inconsistent values.
std::shared_ptr<concord::Negotiator> make_fpn(const ParamSet& p) {
  FpnNegotiatorOptions o;
  o.channels = p.get_int("channels");
  o.layer_nums = p.get_int_list("layer_nums");
  o.layer_strides = p.get_int_list("layer_strides");
  o.num_filters = p.get_int_list("num_filters");
  o.upsample_strides = p.get_int_list("upsample_strides");
  o.num_upsample_filters = p.get_int_list("num_upsample_filters");
  o.groups = p.get_int("groups");
  o.width_per_group = p.get_int("width_per_group");
  o.estimator_sigmoid = p.get_bool("estimator_sigmoid");
  return std::make_shared<FpnNegotiator>(o);
}

std::shared_ptr<concord::Negotiator> make_mean(const ParamSet&) {
  return std::make_shared<MeanNegotiator>();
}

std::shared_ptr<concord::Negotiator> make_resmlp(const ParamSet& p) {
  const int64_t channels = p.get_int("channels");
  return std::make_shared<SharedTrunkNegotiator>(
      "ResMLP",
      std::make_shared<ResMlpTrunk>(channels, p.get_int("blocks"), p.get_int("mlp_ratio"),
                                    p.get_float("layer_scale_init")),
      channels, p.get_bool("estimator_sigmoid"));
}

std::shared_ptr<concord::Negotiator> make_convnext(const ParamSet& p) {
  const int64_t channels = p.get_int("channels");
  return std::make_shared<SharedTrunkNegotiator>(
      "ConvNeXt",
      std::make_shared<ConvNeXtTrunk>(channels, p.get_int("blocks"), p.get_int("kernel_size"),
                                      p.get_int("mlp_ratio"), p.get_float("layer_scale_init")),
      channels, p.get_bool("estimator_sigmoid"));
}

std::shared_ptr<concord::Negotiator> make_sparse_transformer(const ParamSet& p) {
  const int64_t channels = p.get_int("channels");
  return std::make_shared<SharedTrunkNegotiator>(
      "sparse transformer",
      std::make_shared<WindowTransformerTrunk>(channels, p.get_int("blocks"), p.get_int("heads"),
                                               p.get_int("window_size"), p.get_int("mlp_ratio")),
      channels, p.get_bool("estimator_sigmoid"));
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Negotiator>("fpn", 1, make_fpn);
  registrar.add<concord::Negotiator>("mean", 1, make_mean);
  registrar.add<concord::Negotiator>("resmlp", 1, make_resmlp);
  registrar.add<concord::Negotiator>("convnext", 1, make_convnext);
  registrar.add<concord::Negotiator>("sparse_transformer", 1, make_sparse_transformer);
}

}  // namespace

CONCORD_PLUGIN("negotiators", "1.0.0", register_factories, {"negotiator", "fpn", 1},
               {"negotiator", "mean", 1}, {"negotiator", "resmlp", 1},
               {"negotiator", "convnext", 1}, {"negotiator", "sparse_transformer", 1})
