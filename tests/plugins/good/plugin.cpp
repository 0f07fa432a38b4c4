// Test plugin: a real (trivial) encoder whose output depends on its parameters.
#include <ATen/ATen.h>

#include "concord/logging.hpp"
#include "concord/modules/encoder.hpp"
#include "concord/plugin.hpp"

namespace {

class ConstantEncoder : public concord::Encoder {
 public:
  ConstantEncoder(int64_t channels, int64_t size, double scale, bool count)
      : channels_(channels), size_(size), scale_(scale), count_(count) {}
  concord::EncoderOutput forward(const concord::SensorInput& input) override {
    std::vector<at::Tensor> maps;
    for (const auto& p : input.points) {
      double v = count_ ? scale_ * static_cast<double>(p.size(0)) : scale_;
      maps.push_back(at::full({channels_, size_, size_}, v));
    }
    return {at::stack(maps), {}};
  }

 private:
  int64_t channels_, size_;
  double scale_;
  bool count_;
};

void register_factories(concord::Registrar& r, const concord::PluginContext& ctx) {
  ctx.logger->debug("test_good registering");
  r.add<concord::Encoder>("constant", 1, [](const concord::ParamSet& p) {
    return std::make_shared<ConstantEncoder>(p.get_int("channels"), p.get_int("size"),
                                             p.get_float("scale"), p.get_string("mode") == "count");
  });
  r.add<concord::Encoder>("constant", 2, [](const concord::ParamSet& p) {
    return std::make_shared<ConstantEncoder>(8, 4, 2.0 * p.get_float("scale"), false);
  });
}

}  // namespace

CONCORD_PLUGIN("test_good", "1.2.3", register_factories, {"encoder", "constant", 1},
               {"encoder", "constant", 2})
