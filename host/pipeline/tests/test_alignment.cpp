// Align-to-common baselines run through NegoCollab's stage 1 (issue 6): [alignment] is
// refused without [alliance] protocol_agent; with protocol m0 and STAMP's alignment loss
// the stage-1 loss holds only the STAMP and pragmatic terms of the non-protocol member,
// and one Adam step moves only that member's adapter/reverter (and the occupancy head,
// the task probe) while the protocol member's adapters stay as they were; the artifact
// records the method. One-to-one pairs (MPDA/PnPDA as published): each member aligns to
// the other's local feature, both move, and nobody can join the pair.
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

/// Takes one Adam step (lr 1e-3) on `loss` and counts, per top-level part of `model`
/// ("sender1", "alignment", ...), the parameter tensors that moved.
std::map<std::string, int> moved_by_one_step(torch::nn::Module& model, const at::Tensor& loss) {
  std::map<std::string, at::Tensor> before;
  for (const auto& kv : model.named_parameters()) before[kv.key()] = kv.value().detach().clone();
  torch::optim::Adam adam(model.parameters(), torch::optim::AdamOptions(1e-3));
  adam.zero_grad();
  loss.backward();
  adam.step();
  std::map<std::string, int> changed;
  for (const auto& kv : model.named_parameters()) {
    const std::string part = kv.key().substr(0, kv.key().find('.'));
    if (!at::equal(before.at(kv.key()), kv.value())) ++changed[part];
  }
  return changed;
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

  ASSERT_TRUE(model->named_parameters().contains("alignment.classifier.conv1.weight"));
  auto changed = moved_by_one_step(*model, terms.at("total"));
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

// --- One-to-one pairs -------------------------------------------------------------

/// Two members with STAMP adapters, one-to-one, STAMP's alignment loss.
std::shared_ptr<cp::NegotiationModel> one_to_one_pair() {
  std::vector<std::shared_ptr<concord::Sender>> senders;
  std::vector<std::shared_ptr<concord::Receiver>> receivers;
  for (int m = 0; m < 2; ++m) {
    senders.push_back(stamp()->create<concord::Sender>("stamp", 1, defaults("sender")));
    receivers.push_back(stamp()->create<concord::Receiver>("stamp", 1, defaults("receiver")));
  }
  auto model = std::make_shared<cp::NegotiationModel>(senders, receivers, nullptr, 64, small_grid(),
                                                      cp::NegoLossSpec{});
  model->set_one_to_one(true);
  model->set_alignment(stamp()->create<concord::AlignmentLoss>("stamp", 1, defaults("alignment")),
                       "stamp");
  return model;
}

TEST(OneToOne, EachMemberAlignsToThePartnersLocalFeature) {
  torch::manual_seed(13);
  auto model = one_to_one_pair();
  at::manual_seed(9);
  const at::Tensor a = at::relu(at::randn({2, 64, 16, 16}));
  const at::Tensor b = at::rand({2, 64, 16, 16}) * 2.0;
  const std::vector<at::Tensor> boxes{at::zeros({0, 7}), at::zeros({0, 7})};
  at::Tensor occupancy = at::zeros({2, 1, 16, 16});
  occupancy.narrow(2, 7, 2).narrow(3, 6, 4).fill_(1.0f);
  const auto terms = model->loss({a, b}, boxes, occupancy, {"m1", "m2"});
  std::set<std::string> keys;
  for (const auto& [k, v] : terms) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"stamp/m1/protocol_to_local", "stamp/m1/cycle",
                                         "stamp/m1/local_to_protocol", "stamp/m2/protocol_to_local",
                                         "stamp/m2/cycle", "stamp/m2/local_to_protocol",
                                         "pragmatic/m1", "pragmatic/m2", "total"}));

  // The same loss called by hand: m1's target is m2's local feature and vice versa
  // (and not the member's own feature, which gives another value).
  at::NoGradGuard no_grad;
  auto& loss = *model->alignment_loss();
  const concord::AlignmentGroundTruth truth{boxes, small_grid()};
  auto term = [&](size_t m, const at::Tensor& local, const at::Tensor& target) {
    const at::Tensor sent = model->sender(m).forward(local);
    return loss.forward(model->sender(m), model->receiver(m), local, sent, target, truth)
        .at("local_to_protocol")
        .item<double>();
  };
  const double m1 = terms.at("stamp/m1/local_to_protocol").item<double>();
  const double m2 = terms.at("stamp/m2/local_to_protocol").item<double>();
  EXPECT_NEAR(m1, term(0, a, b), 1e-5 * m1);
  EXPECT_NEAR(m2, term(1, b, a), 1e-5 * m2);
  EXPECT_GT(std::abs(m1 - term(0, a, a)), 1e-3 * m1);
}

TEST(OneToOne, OneStepMovesBothMembersAdapters) {
  torch::manual_seed(14);
  auto model = one_to_one_pair();
  const at::Tensor a = at::relu(at::randn({1, 64, 16, 16}));
  const at::Tensor b = at::rand({1, 64, 16, 16});
  const auto terms = model->loss({a, b}, {at::zeros({0, 7}), at::zeros({0, 7})},
                                 at::zeros({1, 1, 16, 16}), {"m1", "m2"});
  auto changed = moved_by_one_step(*model, terms.at("total"));
  for (const char* part : {"sender0", "receiver0", "sender1", "receiver1"})
    EXPECT_GT(changed[part], 10) << part;
}

TEST(OneToOne, RefusedWithoutAlignmentOrForOtherThanTwoMembers) {
  std::vector<std::shared_ptr<concord::Sender>> senders;
  std::vector<std::shared_ptr<concord::Receiver>> receivers;
  for (int m = 0; m < 3; ++m) {
    senders.push_back(stamp()->create<concord::Sender>("stamp", 1, defaults("sender")));
    receivers.push_back(stamp()->create<concord::Receiver>("stamp", 1, defaults("receiver")));
  }
  const at::Tensor x = at::rand({1, 64, 16, 16});
  const at::Tensor occ = at::zeros({1, 1, 16, 16});
  const at::Tensor none = at::zeros({0, 7});
  cp::NegotiationModel three(senders, receivers, nullptr, 64, small_grid(), cp::NegoLossSpec{});
  three.set_one_to_one(true);
  three.set_alignment(stamp()->create<concord::AlignmentLoss>("stamp", 1, defaults("alignment")),
                      "stamp");
  EXPECT_THROW(three.loss({x, x, x}, {none, none, none}, occ, {"a", "b", "c"}), c10::Error);
  senders.pop_back();
  receivers.pop_back();
  cp::NegotiationModel bare(senders, receivers, nullptr, 64, small_grid(), cp::NegoLossSpec{});
  bare.set_one_to_one(true);  // no alignment loss
  EXPECT_THROW(bare.loss({x, x}, {none, none}, occ, {"a", "b"}), c10::Error);
}

TEST(OneToOne, ConfigNeedsAlignmentAndTwoAgents) {
  concord::test::TempDir dir;
  const std::vector<concord::PluginManifest> manifests{concord::test::built_manifest("stamp")};
  auto refused = [&](const std::filesystem::path& file, const std::string& expect) {
    try {
      cp::load_experiment(file, manifests);
      ADD_FAILURE() << "accepted " << file;
    } catch (const concord::ConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(file.string() + ":"), std::string::npos) << what;
      EXPECT_NE(what.find("alliance.one_to_one"), std::string::npos) << what;
      EXPECT_NE(what.find(expect), std::string::npos) << what;
    }
  };
  // No agents: a pair needs exactly two.
  refused(write_experiment(dir, "[alliance]\none_to_one = true\n\n"), "exactly two");
  // Two agents but a protocol agent too.
  for (const char* name : {"a", "b"}) {
    concord::test::write_file(
        dir.path() / (std::string(name) + ".toml"),
        std::string("[agent]\nname = \"") + name + "\"\n\n[sensor]\nkind = \"lidar\"\n");
  }
  const std::string agents = "agents = [\"a.toml\", \"b.toml\"]\n";
  auto with_agents = [&](const std::string& alliance) {
    const auto file = write_experiment(dir, alliance);
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.insert(text.find("\n\n") + 1, agents);
    concord::test::write_file(file, text);
    return file;
  };
  refused(with_agents("[alliance]\none_to_one = true\nprotocol_agent = \"a\"\n\n"),
          "protocol_agent");
  const auto spec =
      cp::load_experiment(with_agents("[alliance]\none_to_one = true\n\n"), manifests);
  EXPECT_TRUE(spec.alliance.one_to_one);
  EXPECT_EQ(spec.agents.size(), 2u);
}

TEST(OneToOne, ArtifactRecordsThePairingAndRefusesToBeJoined) {
  concord::test::TempDir dir;
  cp::AllianceManifest m;
  m.common = cp::CommonSpec{64, 0.8, -38.4, 38.4, -38.4, 38.4};
  m.negotiator = cp::ComponentSpec{"negotiator", "none", "0", "mean_of_senders", 1, {}};
  m.alignment = cp::ComponentSpec{"alignment", "stamp", "1.0.0", "stamp", 1, defaults("alignment")};
  for (const char* name : {"m1", "m2"}) {
    cp::AllianceMember a;
    a.agent = name;
    a.founder = true;
    a.sender = cp::ComponentSpec{"sender", "identity", "1.0.0", "identity", 1, {}};
    a.receiver = a.sender;
    a.receiver.kind = "receiver";
    m.members.push_back(a);
  }
  torch::nn::Linear bundle{2, 1}, s{1, 1}, r{1, 1};
  cp::write_alliance(dir.path(), m, bundle.get(), {s.get(), s.get()}, {r.get(), r.get()});
  const std::string align_to_common_id = m.id;
  m.one_to_one = true;
  cp::write_alliance(dir.path(), m, bundle.get(), {s.get(), s.get()}, {r.get(), r.get()});
  EXPECT_NE(m.id, align_to_common_id);  // another kind of alliance
  const cp::AllianceManifest back = cp::read_alliance(dir.path());
  EXPECT_TRUE(back.one_to_one);
  EXPECT_EQ(back.id, m.id);
  EXPECT_EQ(back.method(), "stamp_o2o");

  // Joining it is refused before anything is loaded.
  cp::ExperimentSpec join;
  join.file = dir.path() / "join.toml";
  join.alliance.dir = dir.path().string();
  join.sender = m.members[0].sender;
  join.receiver = m.members[0].receiver;
  join.data.root = dir.path();
  concord::Registry registry;
  try {
    cp::join(join, registry, {}, dir.path() / "run", false);
    FAIL() << "joined a one-to-one pair";
  } catch (const concord::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("one_to_one"), std::string::npos) << e.what();
  }
}

}  // namespace
