// Test plugin: stages a factory, then throws during registration. Nothing may be registered.
#include <stdexcept>

#include "concord/modules/fusion.hpp"
#include "concord/plugin.hpp"

namespace {

class NeverBuilt : public concord::Fusion {
 public:
  concord::FusionOutput forward(const concord::FusionInput& in) override {
    return {in.features, {}};
  }
};

void register_factories(concord::Registrar& r, const concord::PluginContext&) {
  r.add<concord::Fusion>("throws", 1,
                         [](const concord::ParamSet&) { return std::make_shared<NeverBuilt>(); });
  throw std::runtime_error("model weights file missing (simulated failure)");
}

}  // namespace

CONCORD_PLUGIN("test_throws", "1.0.0", register_factories, {"fusion", "throws", 1})
