// STAMP adapter/reverter: the plugin through the registry, shapes on grids that are not
// multiples of anything convenient, gradient flow to every parameter, trainable parameter
// counts, wire bytes, the 9/1/10 feature loss on hand-made tensors, and the same loss as
// the registry's AlignmentLoss "stamp" (hand values through stand-in adapters, equality
// with stamp_feature_loss on the real ones).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <string>

#include "concord/adapters/accounting.hpp"
#include "concord/modules/alignment_loss.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "concord/precision.hpp"
#include "gradient_checks.hpp"
#include "stamp.hpp"
#include "test_support.hpp"

namespace {

using concord::adapters::trainable_parameters;
using concord::plugins::stamp::StampOptions;
using concord::plugins::stamp::StampReceiver;
using concord::plugins::stamp::StampSender;

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("stamp");
  return r;
}

/// The plugin.toml defaults of factory `index` (0 = sender, 1 = receiver, 2 = alignment).
concord::ParamSet defaults(size_t index) {
  return concord::test::factory_defaults("stamp", index);
}

TEST(StampAdapters, ManifestListsItsFactories) {
  const concord::PluginManifest m = concord::test::built_manifest("stamp");
  ASSERT_EQ(m.factories.size(), 3u);
  EXPECT_EQ(m.factories[0].kind, "sender");
  EXPECT_EQ(m.factories[1].kind, "receiver");
  EXPECT_EQ(m.factories[2].kind, "alignment");
  EXPECT_EQ(defaults(0).get_int("blocks"), 3);
  EXPECT_DOUBLE_EQ(defaults(2).get_float("protocol_to_local"), 9.0);
  EXPECT_DOUBLE_EQ(defaults(2).get_float("cycle"), 1.0);
  EXPECT_DOUBLE_EQ(defaults(2).get_float("local_to_protocol"), 10.0);
}

TEST(StampAdapters, TrainableParameterCountsAtDefaults) {
  // 1x1 conv 64->64: 64*64 + 64 = 4160; ConvNeXt block (dim 64): dwconv 64*49 + 64 = 3200,
  // LN 128, Linear 64->256 16640, Linear 256->64 16448, gamma 64 -> 36480; 3 blocks 109440;
  // 1x1 conv 64->64 4160. Adapter = reverter = 4160 + 109440 + 4160 = 117760.
  auto sender = registry()->create<concord::Sender>("stamp", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("stamp", 1, defaults(1));
  EXPECT_EQ(trainable_parameters(*sender), 117760);
  EXPECT_EQ(trainable_parameters(*receiver), 117760);
}

TEST(StampAdapters, PluginRoundTripShapesAndWireBytes) {
  auto sender = registry()->create<concord::Sender>("stamp", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("stamp", 1, defaults(1));
  const at::Tensor local = at::randn({2, 64, 50, 45});
  const at::Tensor message = sender->forward(local);
  EXPECT_EQ(message.sizes(), (at::IntArrayRef{2, 64, 50, 45}));
  const at::Tensor back = receiver->forward(message, sender->local_prompt(local).narrow(0, 0, 1));
  EXPECT_EQ(back.sizes(), (at::IntArrayRef{2, 64, 50, 45}));
  // One agent-frame: 64 * 50 * 45 = 144000 elements -> 576000 B at fp32, 288000 B at bf16.
  EXPECT_EQ(concord::adapters::wire_bytes(message.narrow(0, 0, 1), at::kFloat), 576000);
  EXPECT_EQ(concord::adapters::wire_bytes_per_frame(message, at::kBFloat16), 288000);
}

TEST(StampAdapters, ResizingShapesAndGradientsReachEveryParameter) {
  // A 128-channel agent at 0.4 m talking to a 64-channel m0 at 0.8 m.
  StampOptions o;
  o.local_channels = 128;
  o.local_cell_size_m = 0.4;
  StampSender sender(o);
  StampReceiver receiver(o);
  const at::Tensor local = at::randn({2, 128, 50, 45});
  const at::Tensor message = sender.forward(local);
  EXPECT_EQ(message.sizes(), (at::IntArrayRef{2, 64, 25, 22}));  // floor(45 * 0.4 / 0.8) = 22
  const at::Tensor back = receiver.revert(message);
  EXPECT_EQ(back.sizes(), (at::IntArrayRef{2, 128, 50, 44}));
  back.pow(2).sum().backward();
  concord::test::expect_every_parameter_has_a_gradient(sender);
  concord::test::expect_every_parameter_has_a_gradient(receiver);
  // 1x1 convs 128->64: 128*64 + 64 = 8256 and 64->128: 64*128 + 128 = 8320 replace 4160.
  EXPECT_EQ(trainable_parameters(sender), 117760 - 4160 + 8256);
  EXPECT_EQ(trainable_parameters(receiver), 117760 - 4160 + 8320);
}

TEST(StampAdapters, RefusesWrongShapes) {
  StampSender sender(StampOptions{});
  StampReceiver receiver(StampOptions{});
  EXPECT_THROW(sender.forward(at::zeros({1, 32, 8, 8})), c10::Error);
  EXPECT_THROW(receiver.forward(at::zeros({1, 64, 8, 8}), at::zeros({64, 8, 8})), c10::Error);
  StampOptions bad;
  bad.blocks = 0;
  EXPECT_THROW(StampSender{bad}, c10::Error);
}

TEST(StampLoss, HandValues) {
  // F_M = [1, 2], R(F_P) = [0, 2]      -> mean((1, 0)^2)   = 0.5
  //               R(A(F_M)) = [1, 0]   -> mean((0, 2)^2)   = 2
  // F_P = [3],    A(F_M) = [1]         -> mean((2)^2)      = 4
  // total = 9 * 0.5 + 1 * 2 + 10 * 4 = 4.5 + 2 + 40 = 46.5
  const at::Tensor local = at::tensor({1.0f, 2.0f}).reshape({1, 1, 1, 2});
  const at::Tensor reverted_protocol = at::tensor({0.0f, 2.0f}).reshape({1, 1, 1, 2});
  const at::Tensor reverted_adapted = at::tensor({1.0f, 0.0f}).reshape({1, 1, 1, 2});
  const at::Tensor protocol = at::full({1, 1, 1, 1}, 3.0f);
  const at::Tensor adapted = at::full({1, 1, 1, 1}, 1.0f);
  const auto loss = concord::plugins::stamp::stamp_feature_loss(
      local, protocol, adapted, reverted_protocol, reverted_adapted);
  EXPECT_FLOAT_EQ(loss.protocol_to_local.item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(loss.cycle.item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(loss.local_to_protocol.item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(loss.total.item<float>(), 46.5f);
  EXPECT_THROW(concord::plugins::stamp::stamp_feature_loss(local, protocol, adapted, protocol,
                                                           reverted_adapted),
               c10::Error);
}

TEST(StampLoss, ModuleOverloadTrainsAdapterAndReverter) {
  StampSender sender(StampOptions{});
  StampReceiver receiver(StampOptions{});
  const at::Tensor local = at::randn({1, 64, 9, 7});
  const at::Tensor protocol = at::randn({1, 64, 9, 7});
  const auto loss = concord::plugins::stamp::stamp_feature_loss(sender, receiver, local, protocol);
  EXPECT_EQ(loss.total.dim(), 0);
  loss.total.backward();
  concord::test::expect_every_parameter_has_a_gradient(sender);
  concord::test::expect_every_parameter_has_a_gradient(receiver);
}

/// Stand-in adapter A(x) = 2x (any receiver but StampReceiver takes the generic path).
class Doubler : public concord::Sender {
 public:
  at::Tensor forward(const at::Tensor& local) override { return local * 2.0; }
};

/// Stand-in reverter R(x) = x / 2; checks that it gets the sender's prompt A(F_M).
class Halver : public concord::Receiver {
 public:
  at::Tensor forward(const at::Tensor& common, const at::Tensor& ego_local) override {
    EXPECT_EQ(ego_local.sizes(), common.sizes());
    return common / 2.0;
  }
};

std::shared_ptr<concord::AlignmentLoss> alignment_loss() {
  return registry()->create<concord::AlignmentLoss>("stamp", 1, defaults(2));
}

TEST(StampAlignmentLoss, HandValueThroughTheRegistry) {
  // F_M = 1, F_P = 3 everywhere: A(F_M) = 2, R(F_P) = 1.5, R(A(F_M)) = 1.
  // 9 * (1 - 1.5)^2 + 1 * (1 - 1)^2 + 10 * (3 - 2)^2 = 2.25 + 0 + 10 = 12.25.
  Doubler sender;
  Halver receiver;
  const at::Tensor local = at::ones({2, 3, 4, 5});
  const at::Tensor target = at::full({2, 3, 4, 5}, 3.0f);
  const concord::LossTerms t =
      alignment_loss()->forward(sender, receiver, local, sender.forward(local), target, {});
  EXPECT_EQ(t.size(), 4u);
  EXPECT_FLOAT_EQ(t.at("protocol_to_local").item<float>(), 0.25f);
  EXPECT_FLOAT_EQ(t.at("cycle").item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(t.at("local_to_protocol").item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(t.at("total").item<float>(), 12.25f);
  // Other weights from the factory parameters: 1 * 0.25 + 0 + 2 * 1 = 2.25.
  concord::ParamSet p = defaults(2);
  p.set("protocol_to_local", 1.0);
  p.set("local_to_protocol", 2.0);
  const auto weighted = registry()->create<concord::AlignmentLoss>("stamp", 1, p);
  EXPECT_FLOAT_EQ(weighted->forward(sender, receiver, local, sender.forward(local), target, {})
                      .at("total")
                      .item<float>(),
                  2.25f);
  EXPECT_THROW(alignment_loss()->forward(sender, receiver, local, sender.forward(local),
                                         at::ones({2, 3, 4, 4}), {}),
               c10::Error);
}

TEST(StampAlignmentLoss, EqualsTheFeatureLossOnStampAdapters) {
  auto sender = registry()->create<concord::Sender>("stamp", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("stamp", 1, defaults(1));
  const at::Tensor local = at::randn({2, 64, 9, 7});
  const at::Tensor target = at::randn({2, 64, 9, 7});
  const at::Tensor message = sender->forward(local);
  const concord::LossTerms t =
      alignment_loss()->forward(*sender, *receiver, local, message, target, {});
  const auto ref = concord::plugins::stamp::stamp_feature_loss(local, target, message,
                                                               receiver->forward(target, message),
                                                               receiver->forward(message, message));
  EXPECT_FLOAT_EQ(t.at("protocol_to_local").item<float>(), ref.protocol_to_local.item<float>());
  EXPECT_FLOAT_EQ(t.at("cycle").item<float>(), ref.cycle.item<float>());
  EXPECT_FLOAT_EQ(t.at("local_to_protocol").item<float>(), ref.local_to_protocol.item<float>());
  EXPECT_FLOAT_EQ(t.at("total").item<float>(), ref.total.item<float>());
  t.at("total").backward();
  concord::test::expect_every_parameter_has_a_gradient(*sender);
  concord::test::expect_every_parameter_has_a_gradient(*receiver);
}

TEST(StampAdapters, RunForwardAndBackwardUnderBf16Autocast) {
  // LayerNorms run in fp32 (concord::layer_norm_fp32), so the mixed-dtype pass works.
  auto sender = registry()->create<concord::Sender>("stamp", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("stamp", 1, defaults(1));
  const at::Tensor local = at::randn({2, 64, 13, 11});
  at::Tensor back;
  {
    concord::AutocastScope bf16(concord::Precision::kBf16);
    back = receiver->forward(sender->forward(local), local.narrow(0, 0, 1));
  }
  EXPECT_EQ(back.sizes(), (at::IntArrayRef{2, 64, 13, 11}));
  EXPECT_TRUE(at::isfinite(back.to(at::kFloat)).all().item<bool>());
  back.to(at::kFloat).pow(2).mean().backward();
  for (const auto& p : sender->parameters()) EXPECT_TRUE(p.grad().defined());
}

}  // namespace
