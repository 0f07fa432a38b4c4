// MPDA: gradient reversal by hand, the domain BCE by hand, the adversarial loss's reversed
// input gradient, the plugin through the registry, shapes on grids that are not multiples
// of the window, gradient flow to every parameter and trainable parameter counts.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "concord/adapters/accounting.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "concord/precision.hpp"
#include "domain_adaptation.hpp"
#include "gradient_checks.hpp"
#include "mpda.hpp"
#include "mpda_alignment.hpp"
#include "test_support.hpp"

namespace {

namespace mpda = concord::plugins::mpda;
using concord::adapters::trainable_parameters;

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("mpda");
  return r;
}

/// The plugin.toml defaults of factory `index` (0 = sender, 1 = receiver).
concord::ParamSet defaults(size_t index) {
  return concord::test::factory_defaults("mpda", index);
}

TEST(MpdaGradReverse, ForwardIsIdentityBackwardIsMinusLambdaTimesGrad) {
  // y = GRL(x, 0.5) = x; L = sum(y * [1, 2, 3]) -> dL/dy = [1, 2, 3]
  // -> dL/dx = -0.5 * [1, 2, 3] = [-0.5, -1, -1.5].
  const at::Tensor x = at::tensor({1.0f, -2.0f, 3.0f}).requires_grad_(true);
  const at::Tensor y = mpda::grad_reverse(x, 0.5);
  EXPECT_TRUE(at::equal(y.detach(), x.detach()));
  (y * at::tensor({1.0f, 2.0f, 3.0f})).sum().backward();
  EXPECT_TRUE(at::allclose(x.grad(), at::tensor({-0.5f, -1.0f, -1.5f})));
  // Without the layer the gradient would be +[1, 2, 3].
  const at::Tensor x2 = at::tensor({1.0f, -2.0f, 3.0f}).requires_grad_(true);
  (x2 * at::tensor({1.0f, 2.0f, 3.0f})).sum().backward();
  EXPECT_TRUE(at::allclose(x2.grad(), at::tensor({1.0f, 2.0f, 3.0f})));
}

TEST(MpdaDomainLoss, HandValue) {
  // Source logits [0, ln 3] (label 0): BCE = -ln(1 - sigmoid(z)):
  //   z = 0    -> -ln(1/2) = ln 2
  //   z = ln 3 -> sigmoid = 3/4 -> -ln(1/4) = ln 4
  // Target logit [0] (label 1): -ln(sigmoid(0)) = ln 2.
  // Mean over the 3 cells = (ln 2 + ln 4 + ln 2) / 3 = 4 ln 2 / 3 = 0.924196...
  const at::Tensor source =
      at::tensor({0.0f, static_cast<float>(std::log(3.0))}).reshape({1, 1, 1, 2});
  const at::Tensor target = at::zeros({1, 1, 1, 1});
  EXPECT_NEAR(mpda::domain_bce_loss(source, target).item<double>(), 4.0 * std::log(2.0) / 3.0,
              1e-6);
}

TEST(MpdaDomainLoss, AdversarialLossReversesTheFeatureGradientOnly) {
  mpda::DomainClassifierOptions o;
  o.in_channels = 4;
  o.hidden = 8;
  o.lambda = 2.0;
  mpda::DomainClassifier classifier(o);
  EXPECT_EQ(trainable_parameters(*classifier), (4 + 1) * 8 + 8 + 1);  // 49
  const at::Tensor source = at::randn({1, 4, 3, 2}).requires_grad_(true);
  const at::Tensor target = at::randn({2, 4, 3, 2}).requires_grad_(true);
  const at::Tensor loss = mpda::mpda_adversarial_loss(classifier, source, target);
  // Weights ~ N(0, 0.001^2), biases 0 -> logits ~ 0 -> every cell's BCE ~ ln 2.
  EXPECT_NEAR(loss.item<double>(), std::log(2.0), 1e-3);
  loss.backward();
  // The same classifier without the reversal layer, by hand.
  auto params = classifier->named_parameters();
  auto logits = [&](const at::Tensor& x) {
    const at::Tensor h =
        at::relu(at::conv2d(x, params["conv1.weight"].detach(), params["conv1.bias"].detach()));
    return at::conv2d(h, params["conv2.weight"].detach(), params["conv2.bias"].detach());
  };
  const at::Tensor s2 = source.detach().clone().requires_grad_(true);
  const at::Tensor t2 = target.detach().clone().requires_grad_(true);
  mpda::domain_bce_loss(logits(s2), logits(t2)).backward();
  EXPECT_TRUE(at::allclose(source.grad(), -2.0 * s2.grad(), 1e-5, 1e-9));
  EXPECT_TRUE(at::allclose(target.grad(), -2.0 * t2.grad(), 1e-5, 1e-9));
  concord::test::expect_every_parameter_has_a_gradient(*classifier);
  // The official classifier at C = 64: 64*512 + 512 + 512*1 + 1 = 33793.
  EXPECT_EQ(trainable_parameters(*mpda::DomainClassifier(mpda::DomainClassifierOptions{})), 33793);
}

TEST(MpdaAdapters, ManifestListsSenderReceiverAndAlignment) {
  const concord::PluginManifest m = concord::test::built_manifest("mpda");
  ASSERT_EQ(m.factories.size(), 3u);
  EXPECT_EQ(m.factories[0].kind, "sender");
  EXPECT_EQ(m.factories[1].kind, "receiver");
  EXPECT_EQ(m.factories[2].kind, "alignment");
  EXPECT_EQ(defaults(0).get_string("target_space"), "ego");
}

TEST(MpdaAdapters, TrainableParameterCountsAtDefaults) {
  // Sender (64 -> 64 ch): channel selector 64*64 + 64 = 4160;
  //   two window+grid attention encoders (heads 4, window 8, mlp 64) 2 * 56008 = 112016
  //   (count in the negocollab test: per stage LN 128, qkv 12288, bias table 900, out 4096,
  //   LN 128, FFN 8320 = 25860, two stages 51720, head LN + Linear 4288);
  //   residual block: 2 * (3x3 conv 64*64*9 + 64 = 36928, BN 128) = 74112, two -> 148224.
  //   -> 4160 + 112016 + 148224 = 264400.
  // Receiver: cross attention 3 * (LN 128 + Linear 4160) + proj 4160 = 17024, two -> 34048;
  //   3 LN 384; MLPs 2 * (64*128 + 128 + 128*64 + 64) = 33152 -> block 67584;
  //   head LN 128 + Linear 4160 = 4288 -> 71872.
  auto sender = registry()->create<concord::Sender>("mpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("mpda", 1, defaults(1));
  EXPECT_EQ(trainable_parameters(*sender), 264400);
  EXPECT_EQ(trainable_parameters(*receiver), 71872);
}

TEST(MpdaAdapters, PluginShapesOffWindowGridAndGradientsEverywhere) {
  auto sender = registry()->create<concord::Sender>("mpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("mpda", 1, defaults(1));
  const at::Tensor collaborator = at::randn({2, 64, 50, 45});  // 50, 45: not multiples of 8
  const at::Tensor ego = at::randn({1, 64, 50, 45});
  const at::Tensor message = sender->forward(collaborator);
  EXPECT_EQ(message.sizes(), (at::IntArrayRef{2, 64, 50, 45}));
  // The ego of a one-to-one pair is already in the target space: its prompt is itself.
  const at::Tensor prompt = sender->local_prompt(ego);
  EXPECT_TRUE(at::equal(prompt, ego));
  const at::Tensor out = receiver->forward(message, prompt);
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{2, 64, 50, 45}));
  // 64 * 50 * 45 = 144000 elements per agent-frame: 576000 B fp32, 288000 B bf16.
  EXPECT_EQ(concord::adapters::wire_bytes_per_frame(message, at::kFloat), 576000);
  EXPECT_EQ(concord::adapters::wire_bytes_per_frame(message, at::kBFloat16), 288000);
  mpda::DomainClassifier classifier(mpda::DomainClassifierOptions{});
  (out.pow(2).mean() + mpda::mpda_adversarial_loss(classifier, ego, out)).backward();
  concord::test::expect_every_parameter_has_a_gradient(*sender);
  concord::test::expect_every_parameter_has_a_gradient(*receiver);
  concord::test::expect_every_parameter_has_a_gradient(*classifier);
}

TEST(MpdaAdapters, ResizesToTheTargetGrid) {
  // A 128-channel agent at 0.4 m sending to a 64-channel ego at 0.8 m.
  mpda::MpdaOptions o;
  o.local_channels = 128;
  o.local_cell_size_m = 0.4;
  mpda::MpdaSender sender(o);
  mpda::MpdaReceiver receiver(o);
  const at::Tensor message = sender.forward(at::randn({2, 128, 50, 45}));
  EXPECT_EQ(message.sizes(), (at::IntArrayRef{2, 64, 25, 22}));  // floor(45 * 0.4 / 0.8) = 22
  const at::Tensor out = receiver.forward(message, at::randn({2, 64, 25, 22}));
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{2, 64, 25, 22}));
  out.sum().backward();
  concord::test::expect_every_parameter_has_a_gradient(sender);
  // Its prompt is the resizer output, not the raw feature.
  EXPECT_EQ(sender.local_prompt(at::randn({1, 128, 50, 45})).sizes(),
            (at::IntArrayRef{1, 64, 25, 22}));
  // Selector 128 -> 64: 128*64 + 64 = 8256 instead of 4160.
  EXPECT_EQ(trainable_parameters(sender), 264400 - 4160 + 8256);
}

TEST(MpdaAdapters, Refusals) {
  mpda::MpdaSender sender(mpda::MpdaOptions{});
  mpda::MpdaReceiver receiver(mpda::MpdaOptions{});
  EXPECT_THROW(sender.forward(at::zeros({1, 32, 8, 8})), c10::Error);
  EXPECT_THROW(receiver.forward(at::zeros({2, 64, 8, 8}), at::zeros({1, 64, 8, 9})), c10::Error);
  mpda::MpdaOptions bad;
  bad.target_space = "m0";
  EXPECT_THROW(mpda::MpdaSender{bad}, c10::Error);
}

TEST(MpdaAdapters, RunForwardAndBackwardUnderBf16Autocast) {
  // LayerNorms run in fp32 (concord::layer_norm_fp32), so the mixed-dtype pass works.
  auto sender = registry()->create<concord::Sender>("mpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("mpda", 1, defaults(1));
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

// MPDA-P's alignment loss through the registry: an undecided classifier (weights
// N(0, 0.001²), biases 0) gives logits ~0 and the BCE ln 2; total = weight · BCE; the
// classifier's 33793 parameters are trainable and get gradients, and the message's
// gradient is the reversed one (−λ times what the classifier alone would pass back).
TEST(MpdaAlignment, UndecidedClassifierGivesLn2AndTrainsBehindTheReversal) {
  torch::manual_seed(5);
  concord::ParamSet p = concord::test::factory_defaults("mpda", 2);
  p.set("weight", 2.0);
  auto loss = registry()->create<concord::AlignmentLoss>("mpda", 1, p);
  EXPECT_EQ(trainable_parameters(*loss), 33793);
  auto sender = registry()->create<concord::Sender>("mpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("mpda", 1, defaults(1));
  const at::Tensor target = at::randn({2, 64, 6, 5});
  const at::Tensor message = at::randn({2, 64, 6, 5}).requires_grad_(true);
  const auto terms = loss->forward(*sender, *receiver, target, message, target, {});
  EXPECT_NEAR(terms.at("adversarial").item<double>(), std::log(2.0), 1e-4);
  EXPECT_NEAR(terms.at("total").item<double>(), 2.0 * terms.at("adversarial").item<double>(), 1e-6);
  terms.at("total").backward();
  for (const auto& q : loss->parameters()) EXPECT_TRUE(q.grad().defined());

  // The same classifier by hand without the reversal: d total / d message is g there
  // and −λ g through the plugin's loss.
  const auto w = loss->named_parameters();
  auto head = [&](const at::Tensor& x) {
    const at::Tensor h = at::relu(
        at::conv2d(x, w["classifier.conv1.weight"].detach(), w["classifier.conv1.bias"].detach()));
    return at::conv2d(h, w["classifier.conv2.weight"].detach(),
                      w["classifier.conv2.bias"].detach());
  };
  const at::Tensor m2 = message.detach().clone().requires_grad_(true);
  const at::Tensor logits_t = head(m2);
  const at::Tensor logits_s = head(target);
  (2.0 * mpda::domain_bce_loss(logits_s, logits_t)).backward();
  const double lambda = p.get_float("lambda");
  EXPECT_TRUE(at::allclose(message.grad(), -lambda * m2.grad(), 1e-5, 1e-9));
}

TEST(MpdaAlignment, RefusesAChannelMismatch) {
  auto loss = registry()->create<concord::AlignmentLoss>(
      "mpda", 1, concord::test::factory_defaults("mpda", 2));
  auto sender = registry()->create<concord::Sender>("mpda", 1, defaults(0));
  auto receiver = registry()->create<concord::Receiver>("mpda", 1, defaults(1));
  const at::Tensor a = at::randn({1, 32, 4, 4});
  EXPECT_THROW(loss->forward(*sender, *receiver, a, a, a, {}), c10::Error);
}

}  // namespace
