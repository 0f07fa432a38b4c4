// NegoCollab stage 1 on hand-made pair data through the real plugins: a short
// negotiation lowers the stage-1 loss; gradients reach every trainable part
// (senders, receivers, negotiator, occupancy head); the vanilla ablation negotiates the mean of the
// sender outputs.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <map>
#include <random>

#include "concord/error.hpp"
#include "concord/pipeline/negotiation.hpp"
#include "test_support.hpp"

namespace {

namespace cp = concord::pipeline;

std::shared_ptr<concord::Registry> adapters() {
  static auto r = concord::test::registry_with("negocollab");
  return r;
}

std::shared_ptr<concord::Registry> negotiators() {
  static auto r = concord::test::registry_with("negotiators");
  return r;
}

concord::ParamSet defaults(const concord::Registry& r, const std::string& kind,
                           const std::string& name) {
  return concord::defaults_of(r.info(kind, name, 1).params, "test");
}

/// ±6.4 m at 0.8 m: 16 x 16 cells.
concord::BevGrid small_grid() {
  concord::BevGrid g;
  g.x_min = g.y_min = -6.4;
  g.x_max = g.y_max = 6.4;
  g.resolution = 0.8;
  return g;
}

std::shared_ptr<cp::NegotiationModel> make_model(bool with_negotiator) {
  std::vector<std::shared_ptr<concord::Sender>> senders;
  std::vector<std::shared_ptr<concord::Receiver>> receivers;
  for (int m = 0; m < 2; ++m) {
    senders.push_back(adapters()->create<concord::Sender>(
        "negocollab", 1, defaults(*adapters(), "sender", "negocollab")));
    receivers.push_back(adapters()->create<concord::Receiver>(
        "negocollab", 1, defaults(*adapters(), "receiver", "negocollab")));
  }
  std::shared_ptr<concord::Negotiator> negotiator;
  if (with_negotiator)
    negotiator = negotiators()->create<concord::Negotiator>(
        "fpn", 1, defaults(*negotiators(), "negotiator", "fpn"));
  return std::make_shared<cp::NegotiationModel>(senders, receivers, negotiator, 64, small_grid(),
                                                cp::NegoLossSpec{});
}

/// Two members' local features of the same 2 agent-frames: member 1 sees a blob
/// where member 0 does, in another (fixed random, ReLU) feature space.
struct PairBatch {
  std::vector<at::Tensor> locals;
  std::vector<at::Tensor> boxes;
  at::Tensor occupancy;
};

PairBatch pair_batch() {
  at::manual_seed(7);
  PairBatch b;
  at::Tensor base = at::rand({2, 64, 16, 16}) * 0.1;
  base.narrow(2, 6, 3).narrow(3, 7, 5).add_(1.0);  // an object around the centre
  const at::Tensor mix = at::randn({64, 64}) / 8.0;
  const at::Tensor other = at::relu(at::einsum("bchw,dc->bdhw", {base, mix}));
  b.locals = {base, other};
  const at::Tensor box = at::tensor({0.4f, 0.0f, -1.0f, 1.56f, 1.6f, 3.9f, 0.0f}).view({1, 7});
  b.boxes = {box, box};
  b.occupancy = at::zeros({2, 1, 16, 16});
  b.occupancy.narrow(2, 7, 2).narrow(3, 6, 4).fill_(1.0f);
  return b;
}

TEST(Negotiation, ShortRunOnFewFramesLowersTheStage1Loss) {
  torch::manual_seed(3);
  auto model = make_model(true);
  const PairBatch b = pair_batch();
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  const std::vector<std::string> names{"m1", "m2"};
  double first = 0.0, last = 0.0;
  for (int step = 0; step < 25; ++step) {
    auto terms = model->loss(b.locals, b.boxes, b.occupancy, names);
    for (const char* key : {"cycle/m1", "distribution/m2", "structural/m1", "pragmatic/m2",
                            "negotiator_pragmatic", "total"})
      ASSERT_TRUE(terms.count(key)) << key;
    const double v = terms.at("total").item<double>();
    ASSERT_TRUE(std::isfinite(v));
    if (step == 0) first = v;
    last = v;
    opt.zero_grad();
    terms.at("total").backward();
    opt.step();
  }
  EXPECT_LT(last, 0.8 * first) << "first " << first << " last " << last;
}

TEST(Negotiation, GradientsReachSendersReceiversNegotiatorAndOccupancyHead) {
  torch::manual_seed(4);
  auto model = make_model(true);
  const PairBatch b = pair_batch();
  model->loss(b.locals, b.boxes, b.occupancy, {"m1", "m2"}).at("total").backward();
  int64_t with_grad = 0, total = 0;
  for (const auto& p : model->named_parameters()) {
    ++total;
    const at::Tensor g = p.value().grad();
    if (g.defined() && g.abs().sum().item<double>() > 0.0)
      ++with_grad;
    else
      ADD_FAILURE() << "no gradient: " << p.key();
  }
  EXPECT_EQ(with_grad, total);
  // Every trainable group is part of the model: senders, receivers, negotiator, occupancy head.
  const auto names = model->named_parameters().keys();
  for (const std::string prefix : {"sender0.", "sender1.", "receiver0.", "receiver1.",
                                   "bundle.negotiator.", "bundle.occupancy_head."}) {
    EXPECT_TRUE(std::any_of(names.begin(), names.end(), [&](const std::string& k) {
      return k.rfind(prefix, 0) == 0;
    })) << prefix;
  }
}

TEST(Negotiation, VanillaAblationNegotiatesTheMeanOfTheSenderOutputs) {
  torch::manual_seed(5);
  auto model = make_model(false);
  model->eval();
  const PairBatch b = pair_batch();
  at::NoGradGuard no_grad;
  const at::Tensor p = model->negotiate(b.locals);
  const at::Tensor want =
      0.5 * (model->sender(0).forward(b.locals[0]) + model->sender(1).forward(b.locals[1]));
  EXPECT_TRUE(at::allclose(p, want, 1e-5, 1e-6));
  // No negotiator parameters, only the occupancy head in the bundle.
  for (const auto& p2 : model->negotiator_bundle().named_parameters())
    EXPECT_EQ(p2.key().rfind("occupancy_head.", 0), 0u) << p2.key();
}

/// Every parameter and buffer of `m`, copied.
std::map<std::string, at::Tensor> snapshot(torch::nn::Module& m) {
  std::map<std::string, at::Tensor> out;
  for (const auto& p : m.named_parameters()) out["p:" + p.key()] = p.value().detach().clone();
  for (const auto& b : m.named_buffers()) out["b:" + b.key()] = b.value().detach().clone();
  return out;
}

TEST(Negotiation, JoiningTrainsOnlyTheNewcomerAndLeavesTheAllianceUnchanged) {
  torch::manual_seed(6);
  auto model = make_model(true);  // member 0 = the alliance (founder), member 1 = the newcomer
  model->set_joining(1);
  // Freeze the alliance as join() does: negotiator bundle and the founder's adapters.
  for (torch::nn::Module* frozen :
       {&model->negotiator_bundle(), static_cast<torch::nn::Module*>(&model->sender(0)),
        static_cast<torch::nn::Module*>(&model->receiver(0))}) {
    for (auto& p : frozen->parameters()) p.set_requires_grad(false);
    frozen->eval();
  }
  const auto before = snapshot(*model);
  const PairBatch b = pair_batch();
  auto terms = model->loss(b.locals, b.boxes, b.occupancy, {"m1", "m3"});
  EXPECT_FALSE(terms.count("negotiator_pragmatic"));  // no negotiator term while joining
  EXPECT_FALSE(terms.count("cycle/m1"));              // no term for the founder
  ASSERT_TRUE(terms.count("cycle/m3"));
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-2));
  opt.zero_grad();
  terms.at("total").backward();
  opt.step();
  const auto after = snapshot(*model);
  int changed_newcomer = 0;
  for (const auto& [key, value] : before) {
    const bool newcomer =
        key.find("sender1.") != std::string::npos || key.find("receiver1.") != std::string::npos;
    const bool same = at::equal(value, after.at(key));
    if (!newcomer) {
      EXPECT_TRUE(same) << "frozen part changed: " << key;
    }
    if (newcomer && !same) ++changed_newcomer;
  }
  EXPECT_GT(changed_newcomer, 10);
  // P is the founder's alone: the newcomer's local feature does not move it.
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> other = b.locals;
  other[1] = other[1] * 3.0 + 1.0;
  EXPECT_TRUE(at::allclose(model->negotiate(b.locals), model->negotiate(other)));
}

TEST(Negotiation, ProtocolVariantTakesTheProtocolLocalAsCommonRepresentation) {
  torch::manual_seed(8);
  auto model = make_model(false);  // NegoCollab-P has no negotiator
  model->set_protocol(0);
  const PairBatch b = pair_batch();
  {
    at::NoGradGuard no_grad;
    EXPECT_TRUE(at::equal(model->negotiate(b.locals), b.locals[0]));
  }
  auto terms = model->loss(b.locals, b.boxes, b.occupancy, {"m0", "m1"});
  EXPECT_FALSE(terms.count("negotiator_pragmatic"));
  EXPECT_FALSE(terms.count("cycle/m0"));
  ASSERT_TRUE(terms.count("cycle/m1"));
  ASSERT_TRUE(terms.count("structural/m1"));
  terms.at("total").backward();
  // Only member 1's adapters (and the occupancy head) learn; the protocol's are untouched.
  for (const auto& p : model->named_parameters()) {
    const bool member0 = p.key().rfind("sender0.", 0) == 0 || p.key().rfind("receiver0.", 0) == 0;
    const at::Tensor g = p.value().grad();
    if (member0) {
      EXPECT_TRUE(!g.defined() || g.abs().sum().item<double>() == 0.0) << p.key();
    }
  }
}

}  // namespace

TEST(Negotiation, CropBatchCutsEveryMapAtOneWindowAndKeepsOnlyBoxesInside) {
  // Every map encodes its cell: value(h, w) = 100 h + w (member 1: + 0.5), so the
  // crop's window can be read back from its first cell.
  const at::Tensor rows = at::arange(16, at::kFloat).view({16, 1}) * 100.0;
  const at::Tensor cells = (rows + at::arange(16, at::kFloat).view({1, 16})).view({1, 1, 16, 16});
  const at::Tensor boxes = at::tensor({-6.0f, -6.0f, -1.0f, 1.5f, 1.6f, 3.9f, 0.0f,   // cell (0, 0)
                                       6.0f,  6.0f,  -1.0f, 1.5f, 1.6f, 3.9f, 0.0f,   // (15, 15)
                                       0.4f,  0.0f,  -1.0f, 1.5f, 1.6f, 3.9f, 0.0f})  // (8, 8)
                               .view({3, 7});
  std::vector<cp::PairItem> items(2);
  for (auto& it : items) {
    it.locals = {cells.expand({1, 64, 16, 16}).contiguous(),
                 (cells + 0.5).expand({1, 64, 16, 16}).contiguous()};
    it.gt_boxes = boxes;
    it.occupancy = cells.clone();
  }
  const std::vector<size_t> order{0, 1};
  const concord::BevGrid full = small_grid();

  const cp::PairBatch whole = cp::make_pair_batch(items, order, 0, 2, full, false);
  EXPECT_EQ(whole.locals[0].sizes(), (std::vector<int64_t>{2, 64, 16, 16}));
  EXPECT_EQ(whole.gt_boxes[1].size(0), 3);
  EXPECT_DOUBLE_EQ(whole.grid.x_min, full.x_min);

  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 4; ++trial) {
    const cp::PairBatch b = cp::make_pair_batch(items, order, 0, 2, full, true, 8, &rng);
    ASSERT_EQ(b.locals[0].sizes(), (std::vector<int64_t>{2, 64, 8, 8}));
    EXPECT_TRUE(b.locals[0].is_contiguous(at::MemoryFormat::ChannelsLast));
    const float first = b.locals[0][1][3][0][0].item<float>();
    const int64_t r0 = static_cast<int64_t>(first) / 100, c0 = static_cast<int64_t>(first) % 100;
    // Same window for both members, both items and the occupancy labels.
    EXPECT_TRUE(at::equal(b.locals[1], b.locals[0] + 0.5));
    EXPECT_TRUE(at::equal(b.locals[0][0][0], b.locals[0][1][63]));
    EXPECT_TRUE(at::equal(b.occupancy[0][0], b.locals[0][0][0]));
    EXPECT_FLOAT_EQ(b.locals[0][0][0][7][7].item<float>(), first + 707.0f);
    // The grid is the window: x along w, y along h, 8 cells of 0.8 m.
    EXPECT_NEAR(b.grid.x_min, -6.4 + 0.8 * static_cast<double>(c0), 1e-9);
    EXPECT_NEAR(b.grid.y_min, -6.4 + 0.8 * static_cast<double>(r0), 1e-9);
    EXPECT_NEAR(b.grid.x_max - b.grid.x_min, 6.4, 1e-9);
    EXPECT_EQ(b.grid.width(), 8);
    // A box stays iff its cell lies inside the window.
    const int64_t box_cells[3] = {0, 15, 8};
    int64_t expected = 0;
    for (int64_t c : box_cells) expected += (c >= r0 && c < r0 + 8 && c >= c0 && c < c0 + 8);
    EXPECT_EQ(b.gt_boxes[0].size(0), expected) << "window at row " << r0 << ", column " << c0;
  }
  EXPECT_THROW(cp::make_pair_batch(items, order, 0, 2, full, false, 20, &rng),
               concord::ConfigError);
}
