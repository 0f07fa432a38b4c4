// A small CollabDetector for pipeline tests: a learnable constant BEV map as the
// encoder, the real pyramid fusion and anchor head plugins on a 32 x 32 grid.
#pragma once

#include <ATen/ATen.h>

#include <memory>

#include "concord/pipeline/collab_detector.hpp"
#include "test_support.hpp"

namespace concord::test {

/// An encoder whose BEV feature is a learnable [1, 8, 32, 32] map, whatever the sensor.
class ConstantEncoder : public concord::Encoder {
 public:
  ConstantEncoder() { map_ = register_parameter("map", at::randn({1, 8, 32, 32})); }
  concord::EncoderOutput forward(const concord::SensorInput&) override { return {map_, {}}; }

 private:
  at::Tensor map_;
};

/// A feature that depends on the agent's points (their sum scales a random map),
/// counting its calls.
class CountingEncoder : public concord::Encoder {
 public:
  CountingEncoder() { map_ = register_parameter("map", at::randn({1, 8, 32, 32})); }
  concord::EncoderOutput forward(const concord::SensorInput& in) override {
    ++calls;
    return {map_ * in.points.front().sum(), {}};
  }
  int calls = 0;

 private:
  at::Tensor map_;
};

/// Pyramid fusion (8 channels) + anchor head on [-12.8, 12.8]^2 m at 0.8 m (32 x 32).
/// `encoder` must output [1, 8, 32, 32] (default: a ConstantEncoder).
inline std::shared_ptr<pipeline::CollabDetector> constant_detector(
    std::shared_ptr<Encoder> encoder = std::make_shared<ConstantEncoder>()) {
  static auto fusion_registry = registry_with("pyramid_fusion");
  static auto head_registry = registry_with("anchor_head");
  ParamSet f = factory_defaults("pyramid_fusion", 0);
  f.set("in_channels", int64_t{8});
  f.set("layer_nums", std::vector<int64_t>{1, 1, 1});
  f.set("num_filters", std::vector<int64_t>{8, 16, 32});
  f.set("num_upsample_filters", std::vector<int64_t>{8, 8, 8});
  f.set("shrink_channels", int64_t{8});
  ParamSet h = factory_defaults("anchor_head", 0);
  h.set("in_channels", int64_t{8});
  for (const char* k : {"x_min", "y_min"}) h.set(k, -12.8);
  for (const char* k : {"x_max", "y_max"}) h.set(k, 12.8);
  BevGrid grid{-12.8, 12.8, -12.8, 12.8, 0.8};
  return std::make_shared<pipeline::CollabDetector>(
      std::move(encoder), fusion_registry->create<Fusion>("pyramid", 1, f),
      head_registry->create<DetectionHead>("anchor", 1, h), grid);
}

}  // namespace concord::test
