#include "concord/pipeline/negotiation.hpp"

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <numeric>
#include <optional>
#include <random>

#include "concord/error.hpp"
#include "concord/loader/box_frames.hpp"
#include "concord/logging.hpp"
#include "concord/negocollab/losses.hpp"
#include "concord/pipeline/adaptation.hpp"
#include "concord/pipeline/build.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "concord/pipeline/data_source.hpp"
#include "concord/precision.hpp"
#include "concord/progress.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

namespace {

/// Holds the negotiator (optional) and the shared occupancy head, so that both are
/// saved, hashed into the alliance id and loaded together.
class NegotiatorBundle : public torch::nn::Module {
 public:
  NegotiatorBundle(std::shared_ptr<Negotiator> negotiator, torch::nn::Conv2d occupancy_head) {
    if (negotiator) register_module("negotiator", std::move(negotiator));
    register_module("occupancy_head", std::move(occupancy_head));
  }
};

/// Everything stage 1 trains, as one module for checkpoints.
class Stage1Checkpointable : public torch::nn::Module {
 public:
  explicit Stage1Checkpointable(std::shared_ptr<NegotiationModel> model) {
    register_module("negotiation", std::move(model));
  }
};

/// One stage-1-style training run (negotiate, join) over encoded pair items.
struct PairTraining {
  std::string name;                     ///< "negotiation" | "join": progress bar and log lines
  const TrainSpec* schedule;            ///< epochs, learning rate, crop
  std::uint64_t seed;                   ///< epoch e shuffles and crops with seed * 1000003 + e
  NegotiationModel* model;              ///< computes the loss
  torch::nn::Module* state;             ///< what the checkpoints hold (the trainable parts)
  std::function<void(bool)> set_train;  ///< train / eval mode of the trainable parts
  const std::vector<PairItem>* train_items;
  const std::vector<PairItem>* val_items;
  BevGrid grid;                    ///< the common grid (validation uses whole maps)
  std::vector<std::string> names;  ///< member names, model order
  Precision precision;             ///< bf16: forward under CPU autocast
  bool channels_last;              ///< lay the locals out NHWC
  fs::path checkpoints;            ///< "best" and "latest" go here
  fs::path metrics;                ///< one CSV row per epoch is appended here
};

/// Trains t.state with `optimizer` from epoch meta.epoch to t.schedule->epochs: shuffled
/// batches of 4 agent-frames (≈ one sample of HEAL's batch size 1), random crops when
/// crop_cells > 0, each epoch's MultiStepLR learning rate, then the mean validation loss
/// on whole maps, "best" (lowest validation loss) and "latest" checkpoints (atomic) and a
/// metrics row. Returns the updated meta. Throws c10::Error when a training loss is not
/// finite.
CheckpointMeta train_pairs(const PairTraining& t, torch::optim::Adam& optimizer,
                           CheckpointMeta meta) {
  auto mean_val = [&]() {
    at::NoGradGuard no_grad;
    t.set_train(false);
    double sum = 0.0;
    std::vector<size_t> order(t.val_items->size());
    std::iota(order.begin(), order.end(), 0);
    for (size_t i = 0; i < order.size(); ++i) {
      PairBatch b = make_pair_batch(*t.val_items, order, i, i + 1, t.grid, t.channels_last);
      AutocastScope autocast(t.precision);
      sum += t.model->loss(b.locals, b.gt_boxes, b.occupancy, t.names).at("total").item<double>();
    }
    t.set_train(true);
    return order.empty() ? 0.0 : sum / static_cast<double>(order.size());
  };
  std::ofstream metrics(t.metrics, std::ios::app);
  if (meta.epoch == 0) metrics << "epoch,lr,train_loss,val_loss,seconds\n";
  t.set_train(true);
  const TrainSpec& schedule = *t.schedule;
  const size_t batch = 4;
  const std::string bar_name = t.name == "negotiation" ? "negotiate" : t.name;
  for (int epoch = meta.epoch; epoch < schedule.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    const double lr = schedule.lr_at(epoch);
    for (auto& group : optimizer.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    std::vector<size_t> order(t.train_items->size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(t.seed * 1000003ull + static_cast<std::uint64_t>(epoch));
    std::shuffle(order.begin(), order.end(), rng);
    const size_t steps = (order.size() + batch - 1) / batch;
    ProgressBar bar(
        steps, bar_name + " " + std::to_string(epoch + 1) + "/" + std::to_string(schedule.epochs));
    double sum = 0.0;
    for (size_t s = 0; s < steps; ++s) {
      PairBatch b =
          make_pair_batch(*t.train_items, order, s * batch, std::min(order.size(), (s + 1) * batch),
                          t.grid, t.channels_last, schedule.crop_cells, &rng);
      at::Tensor loss;
      {
        AutocastScope autocast(t.precision);  // bf16 forward; losses cast to fp32
        loss = t.model->loss(b.locals, b.gt_boxes, b.occupancy, t.names, b.grid).at("total");
      }
      TORCH_CHECK(std::isfinite(loss.item<double>()), t.name, " loss is not finite at epoch ",
                  epoch + 1, " step ", s);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      sum += loss.item<double>();
      char suffix[64];
      std::snprintf(suffix, sizeof suffix, "loss=%.4f lr=%.2g", sum / (s + 1), lr);
      bar.update(s + 1, suffix);
    }
    bar.finish();
    const double val = mean_val();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    meta.epoch = epoch + 1;
    meta.val_loss = val;
    const bool best = val < meta.best_val_loss;
    if (best) {
      meta.best_val_loss = val;
      meta.best_epoch = epoch + 1;
      save_checkpoint(t.checkpoints, "best", *t.state, nullptr, meta);
    }
    save_checkpoint(t.checkpoints, "latest", *t.state, &optimizer, meta);
    metrics << epoch + 1 << "," << lr << "," << sum / static_cast<double>(steps) << "," << val
            << "," << secs << "\n";
    metrics.flush();
    logger()->info("{} epoch {}/{}: train loss {:.4f}, val loss {:.4f}{} ({:.0f} s)", t.name,
                   epoch + 1, schedule.epochs, sum / static_cast<double>(steps), val,
                   best ? " (best)" : "", secs);
  }
  return meta;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

void freeze(torch::nn::Module& m) {
  for (auto& p : m.parameters()) p.set_requires_grad(false);
  m.eval();
}

/// Index of alliance.protocol_agent among `names`, −1 when unset. Throws
/// ConfigError when it is not a member or a negotiator is configured as well.
int64_t protocol_index(const ExperimentSpec& spec, const std::vector<std::string>& names) {
  const std::string& p = spec.alliance.protocol_agent;
  if (p.empty()) return -1;
  if (spec.negotiator)
    throw ConfigError(spec.file.string() + ": alliance.protocol_agent = \"" + p +
                      "\" (NegoCollab-P) uses no negotiator; remove [negotiator]");
  const auto it = std::find(names.begin(), names.end(), p);
  if (it == names.end())
    throw ConfigError(spec.file.string() + ": alliance.protocol_agent = \"" + p +
                      "\" is not one of experiment.agents");
  return static_cast<int64_t>(it - names.begin());
}

std::vector<ComponentSpec> stage1_components(const ExperimentSpec& spec) {
  std::vector<ComponentSpec> c{*spec.sender, *spec.receiver};
  if (spec.negotiator) c.push_back(*spec.negotiator);
  if (spec.alignment) c.push_back(*spec.alignment);
  return c;
}

/// The alignment loss of `spec` (or of an artifact) from the registry.
std::shared_ptr<AlignmentLoss> make_alignment(const Registry& registry, const ComponentSpec& c) {
  return registry.create<AlignmentLoss>(c.factory, c.version, c.params);
}

}  // namespace

PairBatch make_pair_batch(const std::vector<PairItem>& items, const std::vector<size_t>& order,
                          size_t begin, size_t end, const BevGrid& full, bool channels_last,
                          int64_t crop, std::mt19937_64* rng) {
  PairBatch b;
  b.grid = full;
  const size_t members = items.at(order[begin]).locals.size();
  std::vector<std::vector<at::Tensor>> per_member(members);
  std::vector<at::Tensor> occ;
  for (size_t i = begin; i < end; ++i) {
    const PairItem& it = items[order[i]];
    for (size_t m = 0; m < members; ++m) per_member[m].push_back(it.locals[m]);
    b.gt_boxes.push_back(it.gt_boxes);
    occ.push_back(it.occupancy);
  }
  for (auto& v : per_member) b.locals.push_back(at::cat(v).to(at::kFloat));
  b.occupancy = at::cat(occ);
  auto layout = [&] {
    if (channels_last)
      for (auto& l : b.locals) l = l.contiguous(at::MemoryFormat::ChannelsLast);
  };
  if (crop <= 0 || rng == nullptr) {
    layout();
    return b;
  }
  const int64_t h = b.occupancy.size(2), w = b.occupancy.size(3);
  if (crop > h || crop > w)
    throw ConfigError("crop_cells = " + std::to_string(crop) + " exceeds the " + std::to_string(h) +
                      " x " + std::to_string(w) + " BEV maps");
  const int64_t r0 = std::uniform_int_distribution<int64_t>(0, h - crop)(*rng);
  const int64_t c0 = std::uniform_int_distribution<int64_t>(0, w - crop)(*rng);
  for (auto& l : b.locals) {
    TORCH_CHECK(l.size(2) == h && l.size(3) == w,
                "crop_cells needs every member's local feature on the common grid; got ", l.sizes(),
                " vs ", h, " x ", w);
    l = l.narrow(2, r0, crop).narrow(3, c0, crop).contiguous();
  }
  layout();
  b.occupancy = b.occupancy.narrow(2, r0, crop).narrow(3, c0, crop).contiguous();
  const double res = full.resolution;
  b.grid.x_min = full.x_min + static_cast<double>(c0) * res;
  b.grid.x_max = b.grid.x_min + static_cast<double>(crop) * res;
  b.grid.y_min = full.y_min + static_cast<double>(r0) * res;
  b.grid.y_max = b.grid.y_min + static_cast<double>(crop) * res;
  for (auto& boxes : b.gt_boxes)
    boxes =
        loader::boxes_with_centre_in(boxes, b.grid.x_min, b.grid.x_max, b.grid.y_min, b.grid.y_max);
  return b;
}

std::vector<std::string> agent_names(const ExperimentSpec& spec) {
  std::vector<std::string> names;
  for (const AgentSpec& a : spec.agents) names.push_back(a.name);
  return names;
}

std::vector<FrozenMember> load_frozen_members(const ExperimentSpec& spec, const Registry& registry,
                                              const std::vector<PluginManifest>& manifests,
                                              const std::vector<std::string>& names,
                                              const fs::path& runs_root) {
  if (names.empty())
    throw ConfigError(spec.file.string() + ": experiment.agents names no alliance member");
  std::vector<FrozenMember> members;
  for (const std::string& name : names) {
    const fs::path file =
        spec.file.parent_path() / replace_all(spec.alliance.step0, "{agent}", name);
    if (!fs::exists(file))
      throw ConfigError(spec.file.string() + ": alliance.step0: Step-0 experiment " +
                        file.string() + " of member " + name + " not found");
    FrozenMember m;
    m.step0 = load_experiment(file, manifests);
    if (m.step0.agents.size() != 1 || m.step0.agents.front().name != name)
      throw ConfigError(file.string() + ": expected the Step-0 experiment of agent type " + name);
    m.agent = m.step0.agents.front();
    m.detector = build_detector(m.step0, registry);
    const fs::path root = runs_root.empty() ? fs::path(spec.alliance.step0_runs) : runs_root;
    const fs::path ckpt = root / m.step0.name / "checkpoints";
    if (!checkpoint_exists(ckpt, "best"))
      throw Error(ckpt.string() + ": no Step-0 checkpoint 'best' for member " + name +
                  "; run `concord train --config " + file.string() + "` first");
    load_checkpoint(ckpt, "best", *m.detector, nullptr, detector_components(m.step0));
    freeze(*m.detector);
    if (const fs::path store_root = local_store_root(); !store_root.empty())
      m.store = std::make_shared<LocalStore>(
          local_store_dir(store_root, m.step0.name, ckpt / "best.pt", spec.data));
    members.push_back(std::move(m));
  }
  return members;
}

std::vector<PairItem> encode_pair_data(const std::vector<FrozenMember>& members,
                                       const DataSpec& data, const std::string& split,
                                       const loader::LoaderOptions& data_options,
                                       int64_t max_samples, const std::string& label) {
  TORCH_CHECK(!members.empty(), "encode_pair_data: no members");
  // One loader carrying every member's sensors: LiDAR at the largest beam count any
  // member uses (lower-beam members get their own cloud below), cameras if any.
  loader::LoaderOptions lo = data_options;
  lo.lidar_beams = 0;
  lo.cameras = false;
  lo.depth = false;
  lo.camera_visible_gt = false;
  std::vector<loader::LoaderOptions> per_member;
  for (const auto& m : members) {
    loader::LoaderOptions o = lo;
    if (m.agent.sensor == "camera")
      o.cameras = true;
    else
      o.lidar_beams = m.agent.beams;
    per_member.push_back(o);
  }
  std::vector<std::unique_ptr<loader::SampleSource>> loaders;
  for (const auto& o : per_member) loaders.push_back(open_samples(data, split, o));
  // Without sensors: the frame's agents, ids and GT, to look up the members' stores
  // before reading (and decoding) any point cloud or image.
  const std::unique_ptr<loader::SampleSource> frames = open_samples(data, split, lo);
  std::vector<std::string> tags;
  for (const auto& m : members) tags.push_back(m.store ? encode_tag(*m.detector) : "");
  const BevGrid& grid = members.front().detector->grid();
  const size_t total = frames->size();
  const size_t n = max_samples > 0 ? std::min<size_t>(total, max_samples) : total;
  std::vector<std::pair<size_t, size_t>> store_counts;  // hits, misses before
  for (const auto& m : members)
    store_counts.emplace_back(m.store ? m.store->hits() : 0, m.store ? m.store->misses() : 0);
  std::vector<PairItem> items;
  at::NoGradGuard no_grad;
  ProgressBar bar(n, "encode " + label);
  for (size_t i = 0; i < n; ++i) {
    const loader::CollabSample first = frames->get(i);
    // Member m's sensor view of the frame, read only when some agent is not stored.
    std::vector<std::optional<loader::CollabSample>> samples(members.size());
    auto view = [&](size_t m) -> const loader::CollabSample& {
      if (!samples[m]) {
        samples[m] = loaders[m]->get(i);
        TORCH_CHECK(samples[m]->agents.size() == first.agents.size(),
                    "pair data: loaders disagree on the agents of ", first.scenario, "/",
                    first.timestamp);
      }
      return *samples[m];
    };
    for (size_t a = 0; a < first.agents.size(); ++a) {
      PairItem item;
      const std::string& id = first.agents[a].id;
      item.tag = first.scenario + "/" + first.timestamp + "/" + id;
      for (size_t m = 0; m < members.size(); ++m) {
        auto encode = [&] {
          const loader::AgentData& agent = view(m).agents[a];
          TORCH_CHECK(agent.id == id, "pair data: loaders disagree on the agents of ", item.tag);
          return members[m].detector->encode_native(agent);
        };
        const at::Tensor local = members[m].store
                                     ? members[m].store->get_or_compute(tags[m], first.scenario,
                                                                        first.timestamp, id, encode)
                                     : encode();
        item.locals.push_back(local.to(at::kFloat).to(at::kBFloat16));
      }
      // Cooperative GT moved into this agent's frame (clean pose), centres on the grid.
      const at::Tensor agent_from_ego = at::inverse(first.agents[a].ego_from_agent);
      item.gt_boxes =
          loader::boxes_with_centre_in(loader::boxes_to_frame(first.gt_boxes, agent_from_ego),
                                       grid.x_min, grid.x_max, grid.y_min, grid.y_max);
      item.occupancy = members.front().detector->head().occupancy_labels({item.gt_boxes});
      items.push_back(std::move(item));
    }
    bar.update(i + 1);
  }
  bar.finish();
  for (size_t m = 0; m < members.size(); ++m)
    if (members[m].store)
      logger()->info("encode {} {}: {} agent-frames read from {}, {} encoded", label,
                     members[m].agent.name, members[m].store->hits() - store_counts[m].first,
                     members[m].store->dir().string(),
                     members[m].store->misses() - store_counts[m].second);
  return items;
}

NegotiationModel::NegotiationModel(std::vector<std::shared_ptr<Sender>> senders,
                                   std::vector<std::shared_ptr<Receiver>> receivers,
                                   std::shared_ptr<Negotiator> negotiator, int64_t channels,
                                   BevGrid grid, NegoLossSpec weights)
    : negotiator_(std::move(negotiator)), grid_(grid), weights_(weights) {
  TORCH_CHECK(!senders.empty() && senders.size() == receivers.size(),
              "NegotiationModel: one sender and one receiver per member");
  for (size_t m = 0; m < senders.size(); ++m) {
    senders_.push_back(register_module("sender" + std::to_string(m), senders[m]));
    receivers_.push_back(register_module("receiver" + std::to_string(m), receivers[m]));
  }
  occupancy_head_ = torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 1, 1));
  bundle_ =
      register_module("bundle", std::make_shared<NegotiatorBundle>(negotiator_, occupancy_head_));
}

at::Tensor NegotiationModel::negotiate(const std::vector<at::Tensor>& all_locals) {
  if (protocol_ >= 0) return all_locals.at(static_cast<size_t>(protocol_)).detach();
  const std::vector<at::Tensor> locals(
      all_locals.begin(), founders_ > 0 ? all_locals.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                   founders_, all_locals.size()))
                                        : all_locals.end());
  if (negotiator_) return negotiator_->forward(locals);
  // Vanilla ablation: P = mean of the sender outputs (sheet §1.4).
  std::vector<at::Tensor> sent;
  for (size_t m = 0; m < locals.size(); ++m) sent.push_back(senders_[m]->forward(locals[m]));
  return at::stack(sent).mean(0);
}

LossTerms NegotiationModel::loss(const std::vector<at::Tensor>& locals,
                                 const std::vector<at::Tensor>& gt_boxes,
                                 const at::Tensor& occupancy,
                                 const std::vector<std::string>& member_names) {
  return loss(locals, gt_boxes, occupancy, member_names, grid_);
}

LossTerms NegotiationModel::loss(const std::vector<at::Tensor>& locals,
                                 const std::vector<at::Tensor>& gt_boxes,
                                 const at::Tensor& occupancy,
                                 const std::vector<std::string>& member_names,
                                 const BevGrid& grid) {
  TORCH_CHECK(locals.size() == senders_.size() && member_names.size() == senders_.size(),
              "NegotiationModel::loss: expected ", senders_.size(), " members, got ",
              locals.size());
  const NegoLossSpec& w = weights_;
  LossTerms terms;
  at::Tensor p;
  at::Tensor total;
  if (one_to_one_) {
    TORCH_CHECK(alignment_ && locals.size() == 2 && protocol_ < 0 && founders_ == 0,
                "NegotiationModel: one-to-one alignment needs an alignment loss and exactly two "
                "founding members without a protocol, got ",
                locals.size(), " members");
    total = at::zeros({}, locals[0].options());
  } else if (p = negotiate(locals); founders_ == 0 && protocol_ < 0) {
    total =
        w.negotiator_pragmatic * negocollab::pragmatic_loss(occupancy_head_->forward(p), occupancy);
    terms["negotiator_pragmatic"] = total;
  } else {
    p = p.detach();  // a fixed target: the alliance's P while joining, the protocol's local
    total = at::zeros({}, p.options());
  }
  TORCH_CHECK(!alignment_ || protocol_ >= 0 || one_to_one_,
              "NegotiationModel: an alignment loss needs a protocol member (set_protocol)");
  for (size_t m = founders_; m < locals.size(); ++m) {
    if (static_cast<int64_t>(m) == protocol_) continue;  // identity adapters, P itself
    const std::string& name = member_names[m];
    const at::Tensor sent = senders_[m]->forward(locals[m]);
    if (alignment_) {
      // Align-to-common baseline: the method's own objective against P (the
      // protocol's local feature) plus the task term on what goes on the wire.
      // One-to-one: the target is the partner's local feature, fixed.
      const at::Tensor target = one_to_one_ ? locals[1 - m].detach() : p;
      const LossTerms a = alignment_->forward(*senders_[m], *receivers_[m], locals[m], sent, target,
                                              AlignmentGroundTruth{gt_boxes, grid});
      for (const auto& [key, value] : a)
        if (key != "total") terms[method_ + "/" + name + "/" + key] = value;
      const at::Tensor prag = negocollab::pragmatic_loss(occupancy_head_->forward(sent), occupancy);
      terms["pragmatic/" + name] = prag;
      total = total + a.at("total") + w.pragmatic * prag;
      continue;
    }
    const at::Tensor prompt = senders_[m]->local_prompt(locals[m]);
    // Cycle (eq. 16): P back through this member's receiver, each agent-frame with
    // its own prompt (each item is its own ego).
    const at::Tensor back = receivers_[m]->forward(p, prompt);
    const at::Tensor cycle = negocollab::cycle_loss(locals[m], back, w.cycle_std_weight);
    const at::Tensor dist = negocollab::unify_distribution_loss(p, sent, w.distribution_std_weight);
    const at::Tensor stru = negocollab::structural_loss(p, sent, gt_boxes, grid);
    const at::Tensor prag = negocollab::pragmatic_loss(occupancy_head_->forward(sent), occupancy);
    terms["cycle/" + name] = cycle;
    terms["distribution/" + name] = dist;
    terms["structural/" + name] = stru;
    terms["pragmatic/" + name] = prag;
    total =
        total + w.cycle * cycle + w.distribution * dist + w.structural * stru + w.pragmatic * prag;
  }
  terms["total"] = total;
  return terms;
}

NegotiateResult negotiate(const ExperimentSpec& spec, const Registry& registry,
                          const std::vector<PluginManifest>& manifests, const fs::path& run_dir,
                          bool resume) {
  const auto start = std::chrono::steady_clock::now();
  if (!spec.sender || !spec.receiver)
    throw ConfigError(spec.file.string() + ": a negotiation needs [sender] and [receiver]");
  if (spec.data.root.empty())
    throw ConfigError(spec.file.string() + ": [data] root is required for negotiation");
  const auto members = load_frozen_members(spec, registry, manifests, agent_names(spec));
  std::vector<std::string> names;
  for (const auto& m : members) names.push_back(m.agent.name);

  const auto train_items = encode_pair_data(members, spec.data, spec.data.train_split,
                                            spec.data.loader, spec.negotiate.max_samples, "train");
  // max_samples (a quick run) caps the validation samples too, unless val_samples is set.
  const auto val_items = encode_pair_data(members, spec.data, spec.data.val_split, spec.data.loader,
                                          spec.negotiate.validation_samples(), "validate");
  if (train_items.empty())
    throw Error((spec.data.root / spec.data.train_split).string() + ": no agent-frames");

  torch::manual_seed(spec.seed);
  std::vector<std::shared_ptr<Sender>> senders;
  std::vector<std::shared_ptr<Receiver>> receivers;
  for (size_t m = 0; m < members.size(); ++m) {
    senders.push_back(
        registry.create<Sender>(spec.sender->factory, spec.sender->version, spec.sender->params));
    receivers.push_back(registry.create<Receiver>(spec.receiver->factory, spec.receiver->version,
                                                  spec.receiver->params));
  }
  std::shared_ptr<Negotiator> negotiator;
  if (spec.negotiator)
    negotiator = registry.create<Negotiator>(spec.negotiator->factory, spec.negotiator->version,
                                             spec.negotiator->params);
  // NegoCollab-P: the protocol agent's local space is the common one; its adapters
  // are identities and there is no negotiator.
  const int64_t protocol = protocol_index(spec, names);
  if (protocol >= 0) {
    senders[static_cast<size_t>(protocol)] = registry.create<Sender>("identity", 1, ParamSet{});
    receivers[static_cast<size_t>(protocol)] = registry.create<Receiver>("identity", 1, ParamSet{});
  }
  const BevGrid grid = members.front().detector->grid();
  const int64_t channels = train_items.front().locals.front().size(1);
  auto model = std::make_shared<NegotiationModel>(senders, receivers, negotiator, channels, grid,
                                                  spec.losses);
  model->set_protocol(protocol);
  model->set_one_to_one(spec.alliance.one_to_one);
  if (spec.alignment) {  // load_experiment guarantees a protocol agent or a one-to-one pair
    model->set_alignment(make_alignment(registry, *spec.alignment), spec.alignment->factory);
    if (spec.alliance.one_to_one)
      logger()->info("one-to-one baseline {}: {} aligns to {}'s space and {} to {}'s",
                     spec.alignment->factory, names[0], names[1], names[1], names[0]);
    else
      logger()->info("align-to-common baseline {}: members align to protocol agent {}",
                     spec.alignment->factory, spec.alliance.protocol_agent);
  }
  Stage1Checkpointable holder(model);

  const auto components = stage1_components(spec);
  const fs::path ckpt_dir = run_dir / "checkpoints";
  torch::optim::Adam optimizer(
      holder.parameters(),
      torch::optim::AdamOptions(spec.negotiate.lr).weight_decay(spec.negotiate.weight_decay));
  CheckpointMeta meta;
  meta.components = components;
  meta.best_val_loss = std::numeric_limits<double>::infinity();
  if (resume && checkpoint_exists(ckpt_dir, "latest")) {
    meta = load_checkpoint(ckpt_dir, "latest", holder, &optimizer, components);
    meta.components = components;
    logger()->info("resuming negotiation after epoch {}", meta.epoch);
  } else if (checkpoint_exists(ckpt_dir, "latest")) {
    throw Error(ckpt_dir.string() +
                ": holds a previous run; pass --resume to continue it or choose another --run-dir");
  }

  const Precision precision =
      parse_precision(spec.negotiate.precision, spec.file.string() + ": negotiate.precision");
  // bf16 runs channels_last as Step 0 does (oneDNN's fast path; the depthwise 7x7
  // backward of the ConvNeXt blocks is ~2.5x faster, bench_negocollab).
  const bool channels_last = precision == Precision::kBf16;
  if (channels_last) to_channels_last(*model);
  meta =
      train_pairs(PairTraining{"negotiation", &spec.negotiate, spec.seed, model.get(), &holder,
                               [&](bool on) { holder.train(on); }, &train_items, &val_items, grid,
                               names, precision, channels_last, ckpt_dir, run_dir / "metrics.csv"},
                  optimizer, meta);

  // The alliance artifact from the best epoch.
  load_checkpoint(ckpt_dir, "best", holder, nullptr, components);
  AllianceManifest manifest;
  manifest.common.channels = channels;
  manifest.common.cell_size_m = grid.resolution;
  manifest.common.x_min = grid.x_min;
  manifest.common.x_max = grid.x_max;
  manifest.common.y_min = grid.y_min;
  manifest.common.y_max = grid.y_max;
  manifest.negotiator = spec.negotiator
                            ? *spec.negotiator
                            : ComponentSpec{"negotiator", "none", "0", "mean_of_senders", 1, {}};
  std::vector<torch::nn::Module*> sender_ptrs, receiver_ptrs;
  manifest.protocol_agent = protocol >= 0 ? names[static_cast<size_t>(protocol)] : "";
  manifest.alignment = spec.alignment;
  manifest.one_to_one = spec.alliance.one_to_one;
  for (size_t m = 0; m < members.size(); ++m) {
    AllianceMember am;
    am.agent = names[m];
    am.founder = true;
    am.sender = *spec.sender;
    am.receiver = *spec.receiver;
    if (static_cast<int64_t>(m) == protocol) {
      am.sender = ComponentSpec{"sender", "identity", "1.0.0", "identity", 1, {}};
      am.receiver = ComponentSpec{"receiver", "identity", "1.0.0", "identity", 1, {}};
    }
    manifest.members.push_back(am);
    sender_ptrs.push_back(&model->sender(m));
    receiver_ptrs.push_back(&model->receiver(m));
  }
  NegotiateResult r;
  r.alliance_dir = run_dir / "alliance";
  write_alliance(r.alliance_dir, manifest, &model->negotiator_bundle(), sender_ptrs, receiver_ptrs);
  r.alliance_id = manifest.id;
  r.epochs_done = meta.epoch;
  r.best_epoch = meta.best_epoch;
  r.best_val_loss = meta.best_val_loss;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

JoinResult join(const ExperimentSpec& spec, const Registry& registry,
                const std::vector<PluginManifest>& manifests, const fs::path& run_dir, bool resume,
                bool replace) {
  const auto start = std::chrono::steady_clock::now();
  if (spec.alliance.dir.empty())
    throw ConfigError(spec.file.string() + ": joining needs alliance.dir (the artifact to join)");
  if (!spec.sender || !spec.receiver)
    throw ConfigError(spec.file.string() + ": joining needs [sender] and [receiver]");
  if (spec.data.root.empty())
    throw ConfigError(spec.file.string() + ": [data] root is required for joining");
  const fs::path alliance_dir = spec.alliance.dir;
  AllianceManifest manifest = read_alliance(alliance_dir);
  if (manifest.one_to_one)
    throw ConfigError((alliance_dir / "alliance.toml").string() +
                      ": alliance.one_to_one = true: a one-to-one pair has no common "
                      "representation to join; train a new pair instead");
  std::vector<std::string> founders, newcomers = agent_names(spec);
  for (const auto& m : manifest.members)
    if (m.founder) founders.push_back(m.agent);
  for (const auto& n : newcomers)
    if (const AllianceMember* am = manifest.find(n);
        am && am->trained_against == manifest.id && !resume && !replace)
      throw Error((alliance_dir / "alliance.toml").string() + ": " + n +
                  " is already a member of alliance " + manifest.id +
                  " (pass --replace to retrain its adapters)");
  std::vector<std::string> names = founders;
  names.insert(names.end(), newcomers.begin(), newcomers.end());
  const auto members = load_frozen_members(spec, registry, manifests, names);

  const auto train_items = encode_pair_data(members, spec.data, spec.data.train_split,
                                            spec.data.loader, spec.join.max_samples, "train");
  const auto val_items = encode_pair_data(members, spec.data, spec.data.val_split, spec.data.loader,
                                          spec.join.validation_samples(), "validate");
  if (train_items.empty())
    throw Error((spec.data.root / spec.data.train_split).string() + ": no agent-frames");

  // The frozen alliance: founders' adapters and the negotiator bundle from the artifact.
  torch::manual_seed(spec.seed);
  std::vector<std::shared_ptr<Sender>> senders;
  std::vector<std::shared_ptr<Receiver>> receivers;
  for (const auto& f : founders) {
    const AllianceMember* am = manifest.find(f);
    senders.push_back(
        registry.create<Sender>(am->sender.factory, am->sender.version, am->sender.params));
    receivers.push_back(
        registry.create<Receiver>(am->receiver.factory, am->receiver.version, am->receiver.params));
    load_member(alliance_dir, manifest, f, *senders.back(), *receivers.back());
  }
  for (size_t k = 0; k < newcomers.size(); ++k) {
    senders.push_back(
        registry.create<Sender>(spec.sender->factory, spec.sender->version, spec.sender->params));
    receivers.push_back(registry.create<Receiver>(spec.receiver->factory, spec.receiver->version,
                                                  spec.receiver->params));
  }
  std::shared_ptr<Negotiator> negotiator;
  if (manifest.negotiator.plugin != "none")
    negotiator = registry.create<Negotiator>(
        manifest.negotiator.factory, manifest.negotiator.version, manifest.negotiator.params);
  const BevGrid grid = members.front().detector->grid();
  auto model = std::make_shared<NegotiationModel>(senders, receivers, negotiator,
                                                  manifest.common.channels, grid, spec.losses);
  load_negotiator(alliance_dir, manifest, model->negotiator_bundle());  // checks the id
  model->set_joining(founders.size());
  if (!manifest.protocol_agent.empty()) {
    const auto it = std::find(founders.begin(), founders.end(), manifest.protocol_agent);
    if (it == founders.end())
      throw ConfigError((alliance_dir / "alliance.toml").string() + ": protocol_agent \"" +
                        manifest.protocol_agent + "\" is not a founder");
    model->set_protocol(static_cast<int64_t>(it - founders.begin()));
  }
  if (manifest.alignment)  // newcomers train as the founders did (e.g. STAMP)
    model->set_alignment(make_alignment(registry, *manifest.alignment),
                         manifest.alignment->factory);
  freeze(model->negotiator_bundle());
  for (size_t m = 0; m < founders.size(); ++m) {
    freeze(model->sender(m));
    freeze(model->receiver(m));
  }
  // Only the newcomers' adapters are trainable and checkpointed.
  torch::nn::Module newcomer_state;
  for (size_t k = 0; k < newcomers.size(); ++k) {
    newcomer_state.register_module(newcomers[k] + "_sender", senders[founders.size() + k]);
    newcomer_state.register_module(newcomers[k] + "_receiver", receivers[founders.size() + k]);
  }
  // An alignment loss with parameters (MPDA's domain classifier) trains with them.
  if (auto a = model->alignment_loss(); a && !a->parameters().empty())
    newcomer_state.register_module("alignment", a);
  const std::vector<ComponentSpec> components{*spec.sender, *spec.receiver};
  const fs::path ckpt_dir = run_dir / "join";
  torch::optim::Adam optimizer(
      newcomer_state.parameters(),
      torch::optim::AdamOptions(spec.join.lr).weight_decay(spec.join.weight_decay));
  CheckpointMeta meta;
  meta.components = components;
  meta.best_val_loss = std::numeric_limits<double>::infinity();
  if (resume && checkpoint_exists(ckpt_dir, "latest")) {
    meta = load_checkpoint(ckpt_dir, "latest", newcomer_state, &optimizer, components);
    meta.components = components;
    logger()->info("resuming the join after epoch {}", meta.epoch);
  } else if (checkpoint_exists(ckpt_dir, "latest")) {
    throw Error(ckpt_dir.string() + ": holds a previous join; pass --resume to continue it");
  }
  auto set_train = [&](bool on) {
    for (size_t m = founders.size(); m < names.size(); ++m) {
      model->sender(m).train(on);
      model->receiver(m).train(on);
    }
  };
  const Precision precision =
      parse_precision(spec.join.precision, spec.file.string() + ": join.precision");
  // bf16 runs channels_last as Step 0 does (oneDNN's fast path; the depthwise 7x7
  // backward of the ConvNeXt blocks is ~2.5x faster, bench_negocollab).
  const bool channels_last = precision == Precision::kBf16;
  if (channels_last) to_channels_last(*model);
  fs::create_directories(ckpt_dir);
  meta = train_pairs(PairTraining{"join", &spec.join, spec.seed, model.get(), &newcomer_state,
                                  set_train, &train_items, &val_items, grid, names, precision,
                                  channels_last, ckpt_dir, ckpt_dir / "metrics.csv"},
                     optimizer, meta);
  load_checkpoint(ckpt_dir, "best", newcomer_state, nullptr, components);

  // Add the newcomers to the artifact; the id must not change. Another join may
  // have added its member since this one started: re-read the manifest under the
  // artifact's lock, so that concurrent joins do not drop each other's entries.
  const AllianceLock lock(alliance_dir);
  const std::string id = manifest.id;
  manifest = read_alliance(alliance_dir);
  if (manifest.id != id)
    throw AllianceMismatch((alliance_dir / "alliance.toml").string() +
                           ": the artifact changed to " + manifest.id + " while " + id +
                           " was being joined");
  std::vector<torch::nn::Module*> sender_ptrs(manifest.members.size(), nullptr);
  std::vector<torch::nn::Module*> receiver_ptrs(manifest.members.size(), nullptr);
  for (size_t k = 0; k < newcomers.size(); ++k) {
    AllianceMember am;
    am.agent = newcomers[k];
    am.founder = false;
    am.trained_against = id;
    am.sender = *spec.sender;
    am.receiver = *spec.receiver;
    auto it = std::find_if(manifest.members.begin(), manifest.members.end(),
                           [&](const AllianceMember& x) { return x.agent == am.agent; });
    const size_t slot = static_cast<size_t>(it - manifest.members.begin());
    if (it == manifest.members.end()) {
      manifest.members.push_back(am);
      sender_ptrs.push_back(nullptr);
      receiver_ptrs.push_back(nullptr);
    } else {
      *it = am;
    }
    sender_ptrs[slot] = &model->sender(founders.size() + k);
    receiver_ptrs[slot] = &model->receiver(founders.size() + k);
  }
  write_alliance(alliance_dir, manifest, &model->negotiator_bundle(), sender_ptrs, receiver_ptrs);
  TORCH_CHECK(manifest.id == id, "joining changed the alliance id (", id, " → ", manifest.id, ")");

  JoinResult r;
  r.alliance_id = id;
  r.epochs_done = meta.epoch;
  r.best_epoch = meta.best_epoch;
  r.best_val_loss = meta.best_val_loss;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace concord::pipeline
