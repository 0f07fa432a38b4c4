#include "concord/plugin.hpp"
#include "max_fusion.hpp"

namespace {

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Fusion>("max", 1, [](const concord::ParamSet&) {
    return std::make_shared<concord::plugins::MaxFusion>();
  });
}

}  // namespace

CONCORD_PLUGIN("max_fusion", "1.0.0", register_factories, {"fusion", "max", 1})
