// NegoCollab sender and receiver through the real plugin: shapes on grids that are not
// multiples of the window and with a resize, trainable parameter counts, gradient flow,
// dropout only in training, and refusals.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "concord/error.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "gradient_checks.hpp"
#include "test_support.hpp"

namespace {

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("negocollab");
  return r;
}

/// The plugin.toml defaults of factory `index` (0 = sender, 1 = receiver).
concord::ParamSet defaults(size_t index) {
  static const concord::PluginManifest manifest = concord::test::built_manifest("negocollab");
  return concord::defaults_of(manifest.factories.at(index).params, "negocollab");
}

/// Defaults with the local space of an agent at 0.4 m with 128 channels.
concord::ParamSet fine_local(size_t index) {
  concord::ParamSet p = defaults(index);
  p.set("local_channels", int64_t{128});
  p.set("local_cell_size_m", 0.4);
  return p;
}

std::shared_ptr<concord::Sender> make_sender(const concord::ParamSet& p) {
  return registry()->create<concord::Sender>("negocollab", 1, p);
}
std::shared_ptr<concord::Receiver> make_receiver(const concord::ParamSet& p) {
  return registry()->create<concord::Receiver>("negocollab", 1, p);
}

int64_t count_trainable(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) {
    if (p.requires_grad()) n += p.numel();
  }
  return n;
}

TEST(NegoCollabAdapters, ManifestListsBothFactories) {
  const concord::PluginManifest m = concord::test::built_manifest("negocollab");
  ASSERT_EQ(m.factories.size(), 2u);
  EXPECT_EQ(m.factories[0].kind, "sender");
  EXPECT_EQ(m.factories[1].kind, "receiver");
  EXPECT_EQ(defaults(0).get_int("common_channels"), 64);
  EXPECT_DOUBLE_EQ(defaults(1).get_float("common_cell_size_m"), 0.8);
}

TEST(NegoCollabAdapters, TrainableParameterCounts) {
  // Sender, defaults (64 ch at 0.8 m, so the resizer is the identity with 0 parameters):
  //   ConvNeXt block: dwconv 64*7*7 + 64 = 3200, LN 64 + 64 = 128,
  //     Linear 64->256: 64*256 + 256 = 16640, Linear 256->64: 256*64 + 64 = 16448,
  //     gamma 64 -> 36480; two blocks -> 72960.
  //   Aligner, per attention stage (window, grid): LN 128, qkv 64*192 = 12288 (no bias),
  //     bias table 15*15*4 = 900, out 64*64 = 4096 (no bias), LN 128,
  //     FFN 64*64 + 64 + 64*64 + 64 = 8320 -> 25860; two stages -> 51720;
  //     mlp_head LN 128 + Linear 64*64 + 64 = 4160 -> 4288; aligner -> 56008.
  //   Sender -> 72960 + 56008 = 128968.
  // Receiver, defaults:
  //   CBAM: conv1 64*64 = 4096, BN 128, conv2 4096, BN 128, channel MLP 64*4 + 4*64 = 512,
  //     spatial conv 2*7*7 = 98 -> 9058.
  //   Converter: q, k, v each LN 128 + Linear 64*64 + 64 = 4288 -> 12864, proj 4160,
  //     LN 128, FFN 64*128 + 128 + 128*64 + 64 = 16576, post LN 128 -> 33856;
  //     mlp_head 4288 -> 38144.
  //   Recombiner 72960; unify2local identity 0.
  //   Receiver -> 9058 + 38144 + 72960 = 120162.
  EXPECT_EQ(count_trainable(*make_sender(defaults(0))), 128968);
  EXPECT_EQ(count_trainable(*make_receiver(defaults(1))), 120162);
  // 128 channels at 0.4 m: + 1x1 conv 128*64 + 64 = 8256 (sender) and 64*128 + 128 = 8320
  // (receiver).
  EXPECT_EQ(count_trainable(*make_sender(fine_local(0))), 128968 + 8256);
  EXPECT_EQ(count_trainable(*make_receiver(fine_local(1))), 120162 + 8320);
}

TEST(NegoCollabAdapters, PerMessagePromptsEqualReceivingEachMessageAlone) {
  auto sender = make_sender(defaults(0));
  auto receiver = make_receiver(defaults(1));
  sender->eval();
  receiver->eval();
  at::NoGradGuard no_grad;
  at::Tensor local = at::randn({2, 64, 12, 20});
  at::Tensor message = sender->forward(local);
  at::Tensor prompt = sender->local_prompt(local);
  at::Tensor both = receiver->forward(message, prompt);
  for (int64_t i = 0; i < 2; ++i) {
    at::Tensor one = receiver->forward(message.narrow(0, i, 1), prompt.narrow(0, i, 1));
    EXPECT_TRUE(at::allclose(both.narrow(0, i, 1), one, 1e-4, 1e-5)) << i;
  }
  // And a single prompt serves every message.
  at::Tensor shared = receiver->forward(message, prompt.narrow(0, 1, 1));
  EXPECT_TRUE(at::allclose(shared.narrow(0, 1, 1), both.narrow(0, 1, 1), 1e-4, 1e-5));
  EXPECT_FALSE(at::allclose(shared.narrow(0, 0, 1), both.narrow(0, 0, 1), 1e-4, 1e-5));
}

TEST(NegoCollabAdapters, ShapesOnGridsThatAreNotWindowMultiples) {
  auto sender = make_sender(defaults(0));
  auto receiver = make_receiver(defaults(1));
  at::Tensor local = at::randn({3, 64, 37, 53});
  at::Tensor message = sender->forward(local);
  at::Tensor prompt = sender->local_prompt(local);
  ASSERT_EQ(message.sizes(), (at::IntArrayRef{3, 64, 37, 53}));
  ASSERT_EQ(prompt.sizes(), (at::IntArrayRef{3, 64, 37, 53}));
  EXPECT_FALSE(at::allclose(message, prompt));
  at::Tensor out = receiver->forward(message, prompt.narrow(0, 0, 1));
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{3, 64, 37, 53}));
  EXPECT_TRUE(out.isfinite().all().item<bool>());
  at::Tensor none = receiver->forward(message.narrow(0, 0, 0), prompt.narrow(0, 0, 1));
  EXPECT_EQ(none.sizes(), (at::IntArrayRef{0, 64, 37, 53}));
}

TEST(NegoCollabAdapters, ShapesWithAResizedLocalSpace) {
  // 128 channels at 0.4 m: 74 x 106 local cells -> 37 x 53 common cells -> back to 74 x 106.
  auto sender = make_sender(fine_local(0));
  auto receiver = make_receiver(fine_local(1));
  at::Tensor local = at::randn({2, 128, 74, 106});
  at::Tensor message = sender->forward(local);
  at::Tensor prompt = sender->local_prompt(local);
  ASSERT_EQ(message.sizes(), (at::IntArrayRef{2, 64, 37, 53}));
  ASSERT_EQ(prompt.sizes(), (at::IntArrayRef{2, 64, 37, 53}));
  at::Tensor out = receiver->forward(message, prompt.narrow(0, 1, 1));
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{2, 128, 74, 106}));
  // An odd local grid loses its last row/column at the common resolution (int(18.5) = 18).
  EXPECT_EQ(sender->forward(at::randn({1, 128, 37, 53})).sizes(), (at::IntArrayRef{1, 64, 18, 26}));
}

TEST(NegoCollabAdapters, GradientsReachEverySenderParameter) {
  auto sender = make_sender(fine_local(0));  // includes the resizer's conv
  sender->train();
  at::Tensor local = at::randn({2, 128, 34, 22});
  at::Tensor out = sender->forward(local);
  at::mse_loss(out, at::randn_like(out)).backward();
  concord::test::expect_every_parameter_has_a_gradient(*sender);
}

TEST(NegoCollabAdapters, GradientsReachEveryReceiverParameter) {
  auto receiver = make_receiver(fine_local(1));  // includes unify2local's conv
  receiver->train();
  at::Tensor common = at::randn({3, 64, 17, 11});
  at::Tensor prompt = at::randn({1, 64, 17, 11});
  at::Tensor out = receiver->forward(common, prompt);
  ASSERT_EQ(out.sizes(), (at::IntArrayRef{3, 128, 34, 22}));
  at::mse_loss(out, at::randn_like(out)).backward();
  concord::test::expect_every_parameter_has_a_gradient(*receiver);
}

TEST(NegoCollabAdapters, DropoutOnlyInTraining) {
  auto sender = make_sender(defaults(0));
  at::Tensor local = at::randn({1, 64, 19, 21});
  torch::NoGradGuard no_grad;
  sender->train();
  EXPECT_FALSE(at::allclose(sender->forward(local), sender->forward(local)));
  sender->eval();
  EXPECT_TRUE(at::equal(sender->forward(local), sender->forward(local)));
  // The prompt has no dropout at all.
  sender->train();
  EXPECT_TRUE(at::equal(sender->local_prompt(local), sender->local_prompt(local)));
}

TEST(NegoCollabAdapters, ReceiverEvalModeIsDeterministic) {
  auto receiver = make_receiver(defaults(1));
  receiver->eval();
  torch::NoGradGuard no_grad;
  at::Tensor common = at::randn({2, 64, 9, 10});
  at::Tensor prompt = at::randn({1, 64, 9, 10});
  EXPECT_TRUE(at::equal(receiver->forward(common, prompt), receiver->forward(common, prompt)));
}

TEST(NegoCollabAdapters, Refusals) {
  auto sender = make_sender(defaults(0));
  auto receiver = make_receiver(defaults(1));
  EXPECT_THROW(sender->forward(at::zeros({1, 32, 8, 8})), c10::Error);
  EXPECT_THROW(sender->local_prompt(at::zeros({32, 8, 8})), c10::Error);
  // The prompt must be one map on the messages' grid.
  EXPECT_THROW(receiver->forward(at::zeros({2, 64, 8, 8}), at::zeros({3, 64, 8, 8})), c10::Error);
  EXPECT_THROW(receiver->forward(at::zeros({2, 64, 8, 8}), at::zeros({1, 64, 8, 9})), c10::Error);
  EXPECT_THROW(receiver->forward(at::zeros({2, 32, 8, 8}), at::zeros({1, 32, 8, 8})), c10::Error);
  // common_channels must be a multiple of heads.
  concord::ParamSet p = defaults(0);
  p.set("heads", int64_t{3});
  EXPECT_THROW(make_sender(p), concord::RegistryError);
}

}  // namespace
