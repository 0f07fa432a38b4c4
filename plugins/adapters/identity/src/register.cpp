#include "concord/plugin.hpp"
#include "identity.hpp"

namespace {

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Sender>("identity", 1, [](const concord::ParamSet&) {
    return std::make_shared<concord::plugins::IdentitySender>();
  });
  registrar.add<concord::Receiver>("identity", 1, [](const concord::ParamSet&) {
    return std::make_shared<concord::plugins::IdentityReceiver>();
  });
}

}  // namespace

CONCORD_PLUGIN("identity", "1.0.0", register_factories, {"sender", "identity", 1},
               {"receiver", "identity", 1})
