// Align-to-common baselines run through NegoCollab's stage 1 (issue 6): [alignment] is
// refused without [alliance] protocol_agent; with protocol m0 and STAMP's alignment loss
// the stage-1 loss holds only the STAMP and pragmatic terms of the non-protocol member,
// and one Adam step moves only that member's adapter/reverter (and the occupancy head,
// the task probe) while the protocol member's adapters stay as they were; the artifact
// records the method.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>

#include <fstream>
#include <map>
#include <set>

#include "concord/error.hpp"
#include "concord/pipeline/alliance.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/negotiation.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;

std::shared_ptr<concord::Registry> stamp() {
  static auto r = concord::test::registry_with("stamp");
  return r;
}

concord::ParamSet defaults(const std::string& kind) {
  return concord::defaults_of(stamp()->info(kind, "stamp", 1).params, "test");
}

/// An experiment file in `dir` with [sender]/[receiver]/[alignment] = stamp and
/// `alliance` as its [alliance] section ("" = none).
std::filesystem::path write_experiment(const concord::test::TempDir& dir,
                                       const std::string& alliance) {
  const auto file = dir.path() / "stamp.toml";
  std::ofstream out(file);
  out << "[experiment]\nname = \"stamp_test\"\n\n"
      << alliance << "[sender]\nplugin = \"stamp\"\n\n[receiver]\nplugin = \"stamp\"\n\n"
      << "[alignment]\nplugin = \"stamp\"\n\n[alignment.params]\ncycle = 2.0\n";
  return file;
}

TEST(AlignmentConfig, RefusedWithoutProtocolAgentNamingFileAndKey) {
  concord::test::TempDir dir;
  const auto file = write_experiment(dir, "");
  const std::vector<concord::PluginManifest> manifests{concord::test::built_manifest("stamp")};
  try {
    cp::load_experiment(file, manifests);
    FAIL() << "[alignment] without protocol_agent was accepted";
  } catch (const concord::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file.string() + ":"), std::string::npos) << what;
    EXPECT_NE(what.find("[alignment]"), std::string::npos) << what;
    EXPECT_NE(what.find("protocol_agent"), std::string::npos) << what;
  }
}

TEST(AlignmentConfig, AcceptedWithProtocolAgent) {
  concord::test::TempDir dir;
  const auto file = write_experiment(dir, "[alliance]\nprotocol_agent = \"m0\"\n\n");
  const std::vector<concord::PluginManifest> manifests{concord::test::built_manifest("stamp")};
  const cp::ExperimentSpec spec = cp::load_experiment(file, manifests);
  ASSERT_TRUE(spec.alignment.has_value());
  EXPECT_EQ(spec.alignment->kind, "alignment");
  EXPECT_EQ(spec.alignment->factory, "stamp");
  EXPECT_DOUBLE_EQ(spec.alignment->params.get_float("protocol_to_local"), 9.0);
  EXPECT_DOUBLE_EQ(spec.alignment->params.get_float("cycle"), 2.0);
  EXPECT_DOUBLE_EQ(spec.alignment->params.get_float("local_to_protocol"), 10.0);
  EXPECT_EQ(spec.alliance.protocol_agent, "m0");
}

// Random crops serve only the feature-alignment stages; [train] / [adapt] with
// crop_cells are refused naming the file, line and key; [negotiate] accepts it.
TEST(ScheduleConfig, CropCellsOnlyInNegotiateAndJoin) {
  concord::test::TempDir dir;
  const std::vector<concord::PluginManifest> manifests{concord::test::built_manifest("stamp")};
  const std::string alliance = "[alliance]\nprotocol_agent = \"m0\"\n\n";
  for (const std::string section : {"adapt", "train"}) {
    const auto file = write_experiment(dir, alliance + "[" + section + "]\ncrop_cells = 48\n\n");
    try {
      cp::load_experiment(file, manifests);
      FAIL() << "[" << section << "] crop_cells was accepted";
    } catch (const concord::ConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(file.string() + ":"), std::string::npos) << what;
      EXPECT_NE(what.find(section + ".crop_cells: only [negotiate] and [join]"), std::string::npos)
          << what;
    }
  }
  const auto ok = write_experiment(dir, alliance + "[negotiate]\ncrop_cells = 48\n\n");
  EXPECT_EQ(cp::load_experiment(ok, manifests).negotiate.crop_cells, 48);
}

/// ±6.4 m at 0.8 m: 16 x 16 cells.
concord::BevGrid small_grid() {
  concord::BevGrid g;
  g.x_min = g.y_min = -6.4;
  g.x_max = g.y_max = 6.4;
  g.resolution = 0.8;
  return g;
}

TEST(StampAlignment, StageOneTrainsOnlyTheNonProtocolAdapters) {
  torch::manual_seed(11);
  // STAMP adapters for both members, so that the protocol member's (unused) ones have
  // weights that must not move.
  std::vector<std::shared_ptr<concord::Sender>> senders;
  std::vector<std::shared_ptr<concord::Receiver>> receivers;
  for (int m = 0; m < 2; ++m) {
    senders.push_back(stamp()->create<concord::Sender>("stamp", 1, defaults("sender")));
    receivers.push_back(stamp()->create<concord::Receiver>("stamp", 1, defaults("receiver")));
  }
  cp::NegoLossSpec weights;
  auto model = std::make_shared<cp::NegotiationModel>(senders, receivers, nullptr, 64, small_grid(),
                                                      weights);
  model->set_protocol(0);
  model->set_alignment(stamp()->create<concord::AlignmentLoss>("stamp", 1, defaults("alignment")),
                       "stamp");

  at::manual_seed(7);
  const at::Tensor p = at::rand({2, 64, 16, 16});
  const at::Tensor local = at::relu(at::randn({2, 64, 16, 16}));
  const at::Tensor box = at::tensor({0.4f, 0.0f, -1.0f, 1.56f, 1.6f, 3.9f, 0.0f}).view({1, 7});
  at::Tensor occupancy = at::zeros({2, 1, 16, 16});
  occupancy.narrow(2, 7, 2).narrow(3, 6, 4).fill_(1.0f);

  const auto terms = model->loss({p, local}, {box, box}, occupancy, {"m0", "m1"});
  std::set<std::string> keys;
  for (const auto& [k, v] : terms) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"stamp/m1/protocol_to_local", "stamp/m1/cycle",
                                         "stamp/m1/local_to_protocol", "pragmatic/m1", "total"}));
  const double expected = 9.0 * terms.at("stamp/m1/protocol_to_local").item<double>() +
                          1.0 * terms.at("stamp/m1/cycle").item<double>() +
                          10.0 * terms.at("stamp/m1/local_to_protocol").item<double>() +
                          weights.pragmatic * terms.at("pragmatic/m1").item<double>();
  EXPECT_NEAR(terms.at("total").item<double>(), expected, 1e-4 * expected);

  std::map<std::string, at::Tensor> before;
  for (const auto& kv : model->named_parameters()) before[kv.key()] = kv.value().detach().clone();
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  adam.zero_grad();
  terms.at("total").backward();
  adam.step();
  std::map<std::string, int> changed;  // per part: tensors that moved
  for (const auto& kv : model->named_parameters()) {
    const std::string part = kv.key().substr(0, kv.key().find('.'));
    const bool same = at::equal(before.at(kv.key()), kv.value());
    if (part == "sender0" || part == "receiver0") {
      EXPECT_TRUE(same) << "the protocol member's adapter moved: " << kv.key();
    }
    if (!same) ++changed[part];
  }
  EXPECT_GT(changed["sender1"], 10);    // A of m1: every layer of the ConvNeXt adapter
  EXPECT_GT(changed["receiver1"], 10);  // R of m1
  EXPECT_GT(changed["bundle"], 0);      // the occupancy head (task probe), as NegoCollab-P
  EXPECT_EQ(changed.count("sender0") + changed.count("receiver0"), 0u);
}

// MPDA-P through the same stage 1: its alignment loss owns a domain classifier, which
// the model registers, so one optimiser step moves it together with m1's adapter while
// the protocol member's adapters stay put.
TEST(MpdaAlignment, StageOneTrainsTheDomainClassifierWithTheAdapters) {
  torch::manual_seed(12);
  static auto mpda = concord::test::registry_with("mpda");
  std::vector<std::shared_ptr<concord::Sender>> senders;
  std::vector<std::shared_ptr<concord::Receiver>> receivers;
  for (int m = 0; m < 2; ++m) {
    senders.push_back(
        mpda->create<concord::Sender>("mpda", 1, concord::test::factory_defaults("mpda", 0)));
    receivers.push_back(
        mpda->create<concord::Receiver>("mpda", 1, concord::test::factory_defaults("mpda", 1)));
  }
  auto model = std::make_shared<cp::NegotiationModel>(senders, receivers, nullptr, 64, small_grid(),
                                                      cp::NegoLossSpec{});
  model->set_protocol(0);
  model->set_alignment(
      mpda->create<concord::AlignmentLoss>("mpda", 1, concord::test::factory_defaults("mpda", 2)),
      "mpda");
  at::manual_seed(8);
  const at::Tensor p = at::rand({2, 64, 16, 16});
  const at::Tensor local = at::relu(at::randn({2, 64, 16, 16}));
  at::Tensor occupancy = at::zeros({2, 1, 16, 16});
  occupancy.narrow(2, 7, 2).narrow(3, 6, 4).fill_(1.0f);
  const auto terms =
      model->loss({p, local}, {at::zeros({0, 7}), at::zeros({0, 7})}, occupancy, {"m0", "m1"});
  std::set<std::string> keys;
  for (const auto& [k, v] : terms) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"mpda/m1/adversarial", "pragmatic/m1", "total"}));

  std::map<std::string, at::Tensor> before;
  for (const auto& kv : model->named_parameters()) before[kv.key()] = kv.value().detach().clone();
  ASSERT_TRUE(before.count("alignment.classifier.conv1.weight"));
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  adam.zero_grad();
  terms.at("total").backward();
  adam.step();
  std::map<std::string, int> changed;
  for (const auto& kv : model->named_parameters()) {
    const std::string part = kv.key().substr(0, kv.key().find('.'));
    if (!at::equal(before.at(kv.key()), kv.value())) ++changed[part];
  }
  EXPECT_EQ(changed["alignment"], 4);  // both convs' weights and biases
  EXPECT_GT(changed["sender1"], 10);
  EXPECT_EQ(changed.count("sender0") + changed.count("receiver0"), 0u);
}

TEST(StampAlignment, AlignmentLossNeedsAProtocolMember) {
  std::vector<std::shared_ptr<concord::Sender>> senders{
      stamp()->create<concord::Sender>("stamp", 1, defaults("sender"))};
  std::vector<std::shared_ptr<concord::Receiver>> receivers{
      stamp()->create<concord::Receiver>("stamp", 1, defaults("receiver"))};
  cp::NegotiationModel model(senders, receivers, nullptr, 64, small_grid(), cp::NegoLossSpec{});
  model.set_alignment(stamp()->create<concord::AlignmentLoss>("stamp", 1, defaults("alignment")),
                      "stamp");
  const at::Tensor local = at::rand({1, 64, 16, 16});
  EXPECT_THROW(model.loss({local}, {at::zeros({0, 7})}, at::zeros({1, 1, 16, 16}), {"m1"}),
               c10::Error);
}

TEST(StampAlignment, ArtifactRecordsTheMethod) {
  concord::test::TempDir dir;
  cp::AllianceManifest m;
  m.common = cp::CommonSpec{64, 0.8, -38.4, 38.4, -38.4, 38.4};
  m.negotiator = cp::ComponentSpec{"negotiator", "none", "0", "mean_of_senders", 1, {}};
  m.protocol_agent = "m1";
  cp::AllianceMember a;
  a.agent = "m1";
  a.founder = true;
  a.sender = cp::ComponentSpec{"sender", "identity", "1.0.0", "identity", 1, {}};
  a.receiver = cp::ComponentSpec{"receiver", "identity", "1.0.0", "identity", 1, {}};
  m.members = {a};
  torch::nn::Linear bundle{2, 1}, s{1, 1}, r{1, 1};
  cp::write_alliance(dir.path(), m, bundle.get(), {s.get()}, {r.get()});
  EXPECT_EQ(cp::read_alliance(dir.path()).method(), "negocollab");  // no [alignment]
  const std::string id = m.id;

  m.alignment = cp::ComponentSpec{"alignment", "stamp", "1.0.0", "stamp", 1, defaults("alignment")};
  cp::write_alliance(dir.path(), m, bundle.get(), {s.get()}, {r.get()});
  EXPECT_EQ(m.id, id);  // a label, not part of what defines P
  const cp::AllianceManifest back = cp::read_alliance(dir.path());
  ASSERT_TRUE(back.alignment.has_value());
  EXPECT_EQ(back.method(), "stamp");
  EXPECT_EQ(back.alignment->kind, "alignment");
  EXPECT_DOUBLE_EQ(back.alignment->params.get_float("local_to_protocol"), 10.0);
}

}  // namespace
