// The five negotiators loaded through the real plugin library and registry: shapes for 1, 2 and 4
// modalities and odd sizes, the hand-computed mean, modality-order invariance, gradient flow,
// parameter counts and refusals.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "concord/error.hpp"
#include "concord/modules/negotiator.hpp"
#include "test_support.hpp"

namespace {

const std::vector<std::string> kAll{"fpn", "mean", "resmlp", "convnext", "sparse_transformer"};
const std::vector<std::string> kLearned{"fpn", "resmlp", "convnext", "sparse_transformer"};

std::shared_ptr<concord::Registry> registry() {
  static auto r = concord::test::registry_with("negotiators");
  return r;
}

/// The plugin.toml defaults of factory `name`.
concord::ParamSet defaults(const std::string& name) {
  static const concord::PluginManifest manifest = concord::test::built_manifest("negotiators");
  for (const auto& factory : manifest.factories) {
    if (factory.name == name) return concord::defaults_of(factory.params, "negotiators." + name);
  }
  ADD_FAILURE() << "no factory " << name << " in the manifest";
  return {};
}

std::shared_ptr<concord::Negotiator> make(const std::string& name) {
  at::manual_seed(0);
  return registry()->create<concord::Negotiator>(name, 1, defaults(name));
}

std::vector<at::Tensor> random_locals(int64_t modalities, int64_t batch, int64_t height,
                                      int64_t width) {
  std::vector<at::Tensor> locals;
  for (int64_t m = 0; m < modalities; ++m) locals.push_back(at::randn({batch, 64, height, width}));
  return locals;
}

int64_t parameter_count(const concord::Negotiator& n) {
  int64_t count = 0;
  for (const auto& p : n.parameters()) count += p.numel();
  return count;
}

/// Runs `call` and returns the message of the c10::Error it throws ("" and a failure if none).
template <typename F>
std::string error_of(F&& call) {
  try {
    call();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  ADD_FAILURE() << "expected a c10::Error";
  return "";
}

TEST(Negotiators, OutputShapeForOneTwoAndFourModalitiesAndOddSizes) {
  for (const auto& name : kAll) {
    auto negotiator = make(name);
    negotiator->eval();
    for (int64_t modalities : {1, 2, 4}) {
      for (auto [h, w] : {std::pair<int64_t, int64_t>{37, 53}, {16, 24}}) {
        at::Tensor p = negotiator->forward(random_locals(modalities, 2, h, w));
        EXPECT_EQ(p.sizes(), (std::vector<int64_t>{2, 64, h, w}))
            << name << " with " << modalities << " modalities on " << h << "x" << w;
        EXPECT_EQ(p.scalar_type(), at::kFloat) << name;
        EXPECT_TRUE(at::isfinite(p).all().item<bool>()) << name;
      }
    }
  }
}

TEST(Negotiators, LearnedNegotiatorsEndWithAReluAndUseEveryModality) {
  for (const auto& name : kLearned) {
    auto negotiator = make(name);
    negotiator->eval();
    std::vector<at::Tensor> locals = random_locals(2, 1, 20, 20);
    at::Tensor p = negotiator->forward(locals);
    EXPECT_GE(p.min().item<float>(), 0.0f) << name << ": the shrink header ends with a ReLU";
    // Replacing modality 1 by modality 0 must change P: the second modality is not ignored.
    at::Tensor same = negotiator->forward({locals[0], locals[0]});
    EXPECT_GT((p - same).abs().max().item<float>(), 1e-6f) << name;
  }
}

TEST(Negotiators, MeanEqualsHandComputedMean) {
  auto negotiator = make("mean");
  EXPECT_EQ(parameter_count(*negotiator), 0);
  at::Tensor a = at::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({1, 1, 2, 2});
  at::Tensor b = at::tensor({5.0f, -2.0f, 0.0f, 8.0f}).reshape({1, 1, 2, 2});
  at::Tensor c = at::tensor({0.0f, 3.0f, -1.5f, 0.0f}).reshape({1, 1, 2, 2});
  // (1 + 5 + 0) / 3 = 2, (2 - 2 + 3) / 3 = 1, (3 + 0 - 1.5) / 3 = 0.5, (4 + 8 + 0) / 3 = 4.
  at::Tensor expected = at::tensor({2.0f, 1.0f, 0.5f, 4.0f}).reshape({1, 1, 2, 2});
  EXPECT_TRUE(at::allclose(negotiator->forward({a, b, c}), expected, 1e-6, 1e-6));
  // (1 + 5) / 2 = 3, (2 - 2) / 2 = 0, 1.5, 6.
  EXPECT_TRUE(at::allclose(negotiator->forward({a, b}),
                           at::tensor({3.0f, 0.0f, 1.5f, 6.0f}).reshape({1, 1, 2, 2}), 1e-6, 1e-6));
  EXPECT_TRUE(at::equal(negotiator->forward({a}), a));
}

TEST(Negotiators, InvariantToModalityOrder) {
  for (const auto& name : kAll) {
    auto negotiator = make(name);
    std::vector<at::Tensor> locals = random_locals(3, 2, 19, 21);
    for (bool training : {false, true}) {
      negotiator->train(training);
      at::NoGradGuard no_grad;
      at::Tensor abc = negotiator->forward(locals);
      at::Tensor cab = negotiator->forward({locals[2], locals[0], locals[1]});
      at::Tensor bca = negotiator->forward({locals[1], locals[2], locals[0]});
      EXPECT_TRUE(at::allclose(abc, cab, 1e-4, 1e-5))
          << name << (training ? " (train)" : " (eval)") << " max |diff| "
          << (abc - cab).abs().max().item<float>();
      EXPECT_TRUE(at::allclose(abc, bca, 1e-4, 1e-5)) << name;
    }
  }
}

TEST(Negotiators, GradientsReachEveryParameterAndEveryInput) {
  for (const auto& name : kLearned) {
    auto negotiator = make(name);
    negotiator->train();
    std::vector<at::Tensor> locals = random_locals(2, 2, 13, 18);
    for (auto& x : locals) x.requires_grad_(true);
    negotiator->forward(locals).square().sum().backward();
    for (const auto& item : negotiator->named_parameters()) {
      const at::Tensor& grad = item.value().grad();
      ASSERT_TRUE(grad.defined()) << name << ": no gradient for " << item.key();
      EXPECT_GT(grad.abs().sum().item<double>(), 0.0)
          << name << ": zero gradient for " << item.key();
    }
    for (size_t m = 0; m < locals.size(); ++m) {
      ASSERT_TRUE(locals[m].grad().defined()) << name << ": no gradient for modality " << m;
      EXPECT_GT(locals[m].grad().abs().sum().item<double>(), 0.0) << name;
    }
  }
}

TEST(Negotiators, FpnParameterCountMatchesTheLayerShapes) {
  // One ResNeXt Bottleneck (in 64, planes 64, groups 32, width_per_group 4 -> width 128):
  //   conv1 1x1 64->128: 64*128 = 8192; bn1: 2*128 = 256
  //   conv2 3x3 grouped 128->128 (32 groups of 4): 128*4*9 = 4608; bn2: 256
  //   conv3 1x1 128->64: 128*64 = 8192; bn3: 2*64 = 128          => 21632 per block
  // Level 0: 3 blocks, stride 1, 64 -> 64, no downsample:  3*21632 = 64896
  // Level 1: 4 blocks + downsample (1x1 64->64 = 4096, BN 128):   4*21632 + 4224 = 90752
  // Estimators: 2 * (64 + 1) = 130
  // Deblock 0: ConvT 64->64 k1: 4096 + BN 128 = 4224; deblock 1: ConvT k2: 16384 + 128 = 16512
  // Shrink header: 3x3 128->64 + bias: 73728 + 64 = 73792; 3x3 64->64 + bias: 36864 + 64 = 36928
  // Total: 64896 + 90752 + 130 + 4224 + 16512 + 73792 + 36928 = 287234
  // (x 4 bytes = 1.15 MB: the paper's Table 8 reports the FPN negotiator as "1.2 M", in MB.)
  EXPECT_EQ(parameter_count(*make("fpn")), 287234);
  concord::ParamSet raw = defaults("fpn");
  raw.set("estimator_sigmoid", false);
  EXPECT_EQ(parameter_count(*registry()->create<concord::Negotiator>("fpn", 1, raw)), 287234);
}

TEST(Negotiators, ParameterCountsAreComparableToFpn) {
  // Shared by the three: estimator 64 + 1 = 65, shrink header 2 * (36864 + 64) = 73856 => 73921.
  // ResMLP block: affines 4*64 + layer scales 2*64 = 384, channel linear 64*64 + 64 = 4160,
  //   MLP 64*256 + 256 + 256*64 + 64 = 33088                          => 37632; 6 blocks: 225792
  // ConvNeXt block: depthwise 7x7 64*49 + 64 = 3200, LayerNorm 128, MLP 33088, gamma 64
  //                                                                   => 36480; 6 blocks: 218880
  // Transformer block: 2 LayerNorms 256, qkv 64*192 = 12288, bias table 15*15*4 = 900,
  //   proj 64*64 + 64 = 4160, MLP 33088                               => 50692; 4 blocks: 202768
  const int64_t fpn = parameter_count(*make("fpn"));
  const std::vector<std::pair<std::string, int64_t>> expected{
      {"resmlp", 225792 + 73921},
      {"convnext", 218880 + 73921},
      {"sparse_transformer", 202768 + 73921}};
  std::cout << "negotiator parameters (Table 8 analogue): fpn " << fpn << ", mean 0";
  for (const auto& [name, count] : expected) {
    const int64_t actual = parameter_count(*make(name));
    std::cout << ", " << name << " " << actual;
    EXPECT_EQ(actual, count) << name;
    EXPECT_GE(actual, 0.7 * fpn) << name << " is not comparable to the FPN's " << fpn;
    EXPECT_LE(actual, 1.3 * fpn) << name << " is not comparable to the FPN's " << fpn;
  }
  std::cout << std::endl;
}

TEST(Negotiators, RefuseAnEmptyList) {
  for (const auto& name : kAll) {
    auto negotiator = make(name);
    const std::string message = error_of([&] { negotiator->forward({}); });
    EXPECT_NE(message.find("empty list"), std::string::npos) << name << ": " << message;
  }
}

TEST(Negotiators, RefuseMismatchedShapes) {
  for (const auto& name : kAll) {
    auto negotiator = make(name);
    std::string message = error_of([&] {
      negotiator->forward({at::randn({1, 64, 16, 16}), at::randn({1, 64, 16, 17})});
    });
    EXPECT_NE(message.find("one common grid"), std::string::npos) << name << ": " << message;
    message = error_of([&] {
      negotiator->forward({at::randn({2, 64, 16, 16}), at::randn({1, 64, 16, 16})});
    });
    EXPECT_NE(message.find("modality 1"), std::string::npos) << name << ": " << message;
    error_of([&] { negotiator->forward({at::randn({64, 16, 16})}); });
  }
  for (const auto& name : kLearned) {
    auto negotiator = make(name);
    const std::string message = error_of([&] { negotiator->forward({at::randn({1, 32, 8, 8})}); });
    EXPECT_NE(message.find("expected 64 channels"), std::string::npos) << name << ": " << message;
  }
}

TEST(Negotiators, RefuseInconsistentFpnOptionsOnCreate) {
  concord::ParamSet p = defaults("fpn");
  p.set("upsample_strides", std::vector<int64_t>{1, 4});  // level 1 has cumulative stride 2
  EXPECT_THROW(registry()->create<concord::Negotiator>("fpn", 1, p), concord::RegistryError);
  p = defaults("fpn");
  p.set("num_filters", std::vector<int64_t>{64});
  EXPECT_THROW(registry()->create<concord::Negotiator>("fpn", 1, p), concord::RegistryError);
}

}  // namespace
