#include "concord/pipeline/adaptation.hpp"

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>

#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/alliance.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "concord/pipeline/evaluator.hpp"
#include "concord/pipeline/hetero_loader.hpp"
#include "concord/pipeline/negotiation.hpp"
#include "concord/precision.hpp"
#include "concord/progress.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

namespace {

/// The receivers that stage 2 trains, as one module for checkpoints.
class Receivers : public torch::nn::Module {
 public:
  Receivers(const std::vector<HeteroMember>& members, const std::vector<std::string>& trainable) {
    for (const auto& m : members)
      if (std::find(trainable.begin(), trainable.end(), m.name) != trainable.end())
        register_module(m.name, m.receiver);
  }
};

}  // namespace

std::string AdaptResult::summary() const {
  if (selected.empty())
    return fmt::format("best val loss {:.4f} at epoch {}", best_val_loss, best_epoch);
  std::string out;
  for (const auto& r : selected)
    out += fmt::format("{}{}: val AP@0.5 {:.3f} at epoch {}", out.empty() ? "" : ", ", r.member,
                       r.best_val_ap, r.best_epoch);
  return out;
}

std::vector<TypeSensors> member_sensors(const std::vector<HeteroMember>& members) {
  std::vector<TypeSensors> out;
  for (const auto& m : members) out.push_back(m.sensors);
  return out;
}

std::vector<HeteroMember> load_hetero_members(const ExperimentSpec& spec, const Registry& registry,
                                              const std::vector<PluginManifest>& manifests,
                                              const std::vector<std::string>& names,
                                              const fs::path& alliance_dir) {
  auto frozen = load_frozen_members(spec, registry, manifests, names);
  std::vector<HeteroMember> members;
  AllianceManifest manifest;
  if (!alliance_dir.empty()) manifest = read_alliance(alliance_dir);
  for (auto& f : frozen) {
    HeteroMember m;
    m.name = f.agent.name;
    m.detector = f.detector;
    m.store = f.store;
    if (f.agent.sensor == "camera")
      m.sensors.cameras = true;
    else
      m.sensors.lidar_beams = f.agent.beams;
    if (!alliance_dir.empty()) {
      const AllianceMember* am = manifest.find(m.name);
      if (!am)
        throw Error((alliance_dir / "alliance.toml").string() + ": " + m.name +
                    " is not a member of alliance " + manifest.id +
                    "; it joins with `concord join`");
      m.sender = registry.create<Sender>(am->sender.factory, am->sender.version, am->sender.params);
      m.receiver = registry.create<Receiver>(am->receiver.factory, am->receiver.version,
                                             am->receiver.params);
      load_member(alliance_dir, manifest, m.name, *m.sender, *m.receiver);
      for (auto& p : m.sender->parameters()) p.set_requires_grad(false);
      for (auto& p : m.receiver->parameters()) p.set_requires_grad(false);
      m.sender->eval();
      m.receiver->eval();
    }
    members.push_back(std::move(m));
  }
  return members;
}

AdaptResult adapt(const ExperimentSpec& spec, const Registry& registry,
                  const std::vector<PluginManifest>& manifests, const fs::path& run_dir,
                  bool resume) {
  AdaptOptions o;
  o.members = agent_names(spec);
  o.trainable = o.members;
  o.schedule = spec.adapt;
  o.alliance_dir = run_dir / "alliance";
  o.state_dir = run_dir / "adapt";
  return adapt_receivers(spec, registry, manifests, o, resume);
}

AdaptResult adapt_receivers(const ExperimentSpec& spec, const Registry& registry,
                            const std::vector<PluginManifest>& manifests,
                            const AdaptOptions& options, bool resume) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path& alliance_dir = options.alliance_dir;
  const TrainSpec& schedule = options.schedule;
  const AllianceManifest manifest = read_alliance(alliance_dir);
  auto members = load_hetero_members(spec, registry, manifests, options.members, alliance_dir);
  auto is_trainable = [&](const std::string& name) {
    return std::find(options.trainable.begin(), options.trainable.end(), name) !=
           options.trainable.end();
  };
  for (auto& m : members) {
    if (!is_trainable(m.name)) continue;
    for (auto& p : m.receiver->parameters()) p.set_requires_grad(true);
    m.receiver->train();
  }
  // A sample trains something only when its ego's receiver does: not the protocol
  // agent's identity receiver (NegoCollab-P, align-to-common baselines) nor a frozen one.
  auto ego_trains = [&](const HeteroSample& s) {
    const HeteroMember& ego = members.at(s.types.at(0));
    if (!is_trainable(ego.name)) return false;
    const auto params = ego.receiver->parameters();
    return std::any_of(params.begin(), params.end(),
                       [](const at::Tensor& p) { return p.requires_grad(); });
  };
  HeteroCollab collab(members);
  // The frozen encoders see the same frames every epoch and in every validation pass.
  collab.cache_locals(local_cache_budget());
  Receivers receivers(members, options.trainable);
  std::vector<ComponentSpec> components{*spec.receiver};

  // Fixed per-side types (DAIR-V2X-C [data] vehicle_type / roadside_type) or the seeded draw.
  const std::vector<size_t> fixed = fixed_type_indices(spec.data, options.members);
  HeteroLoader train_loader(spec.data, spec.data.train_split, spec.data.loader,
                            member_sensors(members), spec.seed, options.ego_type, fixed);
  loader::LoaderOptions val_opts = spec.data.loader;
  val_opts.pose_noise_xy_m = val_opts.pose_noise_yaw_deg = 0.0;
  HeteroLoader val_loader(spec.data, spec.data.val_split, val_opts, member_sensors(members),
                          spec.seed, options.ego_type, fixed);

  torch::manual_seed(spec.seed);
  torch::optim::Adam optimizer(
      receivers.parameters(),
      torch::optim::AdamOptions(schedule.lr).weight_decay(schedule.weight_decay));
  const fs::path& ckpt_dir = options.state_dir;
  const bool select_ap = schedule.select == "val_ap";
  // Receivers selected one by one on their own ego's validation AP (select = "val_ap"):
  // the trained ones with parameters, and under a fixed DAIR-V2X-C assignment only the
  // vehicle side's, the one ego type evaluation knows.
  std::vector<size_t> selected_members;
  std::vector<ReceiverSelection> selection;
  for (size_t i = 0; select_ap && i < members.size(); ++i) {
    if (!is_trainable(members[i].name) || members[i].receiver->parameters().empty()) continue;
    if (!fixed.empty() && i != fixed.front()) continue;
    selected_members.push_back(i);
    selection.push_back({members[i].name, 0, -1.0});
  }
  auto best_name = [&](size_t k) { return "best_" + selection[k].member; };
  CheckpointMeta meta;
  meta.components = components;
  meta.best_val_loss = std::numeric_limits<double>::infinity();
  if (resume && checkpoint_exists(ckpt_dir, "latest")) {
    // Per-receiver bests first (loading them moves weights), then the latest state.
    for (size_t k = 0; k < selection.size(); ++k) {
      if (!checkpoint_exists(ckpt_dir, best_name(k))) continue;
      const CheckpointMeta b = load_checkpoint(
          ckpt_dir, best_name(k), *members[selected_members[k]].receiver, nullptr, components);
      selection[k].best_epoch = b.best_epoch;
      selection[k].best_val_ap = b.best_val_ap;
    }
    meta = load_checkpoint(ckpt_dir, "latest", receivers, &optimizer, components);
    meta.components = components;
    logger()->info("resuming adaptation after epoch {}", meta.epoch);
    const bool had_ap = meta.best_val_ap >= 0.0;
    if (meta.epoch > 0 && had_ap != select_ap)
      throw Error(ckpt_dir.string() + ": the adaptation so far selected on the validation " +
                  (had_ap ? "AP" : "loss") + "; it cannot resume with [adapt] select = \"" +
                  schedule.select + "\" (choose another run directory)");
  } else if (checkpoint_exists(ckpt_dir, "latest")) {
    throw Error(ckpt_dir.string() + ": holds a previous adaptation; pass --resume to continue it");
  }
  const Precision precision =
      parse_precision(schedule.precision, spec.file.string() + ": precision of " +
                                              options.state_dir.filename().string());
  // Validation passes run every receiver in eval mode, then the trained ones go back.
  auto receivers_eval = [&]() {
    for (auto& m : members) m.receiver->eval();
  };
  auto receivers_train = [&]() {
    for (auto& m : members)
      if (is_trainable(m.name)) m.receiver->train();
  };
  auto mean_val = [&]() {
    at::NoGradGuard no_grad;
    receivers_eval();
    double sum = 0.0;
    size_t count = 0;
    const int64_t cap = schedule.validation_samples();
    const size_t n_val =
        cap > 0 ? std::min<size_t>(val_loader.size(), static_cast<size_t>(cap)) : val_loader.size();
    for (size_t i = 0; i < n_val; ++i) {
      const HeteroSample s = val_loader.get(i);
      if (s.types.size() < 2) continue;
      AutocastScope autocast(precision);
      sum += collab.loss(s).at("total").item<double>();
      ++count;
    }
    receivers_train();
    return count ? sum / static_cast<double>(count) : 0.0;
  };
  // One validate-split loader per selected receiver, its member forced as the ego
  // (collaborators' types from the seeded draw, as `concord eval`), built once.
  std::vector<std::unique_ptr<HeteroLoader>> ap_loaders;
  for (const size_t ego : selected_members)
    ap_loaders.push_back(std::make_unique<HeteroLoader>(spec.data, spec.data.val_split, val_opts,
                                                        member_sensors(members), spec.seed,
                                                        static_cast<int>(ego), fixed));
  // AP@0.5 of NegoCollab mode for selected receiver k, in the training precision.
  auto validation_ap = [&](size_t k) {
    receivers_eval();
    const HeteroLoader& loader = *ap_loaders[k];
    double ap = 0.0;
    {
      AutocastScope autocast(precision);
      ap = evaluate_hetero(collab, loader, HeteroMode::kNegoCollab, spec.eval, loader.gt_range(),
                           schedule.validation_samples())
               .ap_at(0.5);
    }
    receivers_train();
    return ap;
  };

  fs::create_directories(ckpt_dir);
  std::ofstream metrics(ckpt_dir / "metrics.csv", std::ios::app);
  if (meta.epoch == 0) {
    metrics << "epoch,lr,train_loss,val_loss,seconds";
    for (const auto& r : selection) metrics << ",val_ap50_" << r.member;
    metrics << "\n";
  }
  const size_t per_epoch = schedule.max_samples > 0
                               ? std::min<size_t>(train_loader.size(), schedule.max_samples)
                               : train_loader.size();
  for (int epoch = meta.epoch; epoch < schedule.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    const double lr = schedule.lr_at(epoch);
    for (auto& group : optimizer.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    std::vector<size_t> order(train_loader.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(spec.seed * 1000003ull + static_cast<std::uint64_t>(epoch));
    std::shuffle(order.begin(), order.end(), rng);
    ProgressBar bar(per_epoch,
                    "adapt " + std::to_string(epoch + 1) + "/" + std::to_string(schedule.epochs));
    double sum = 0.0;
    size_t steps = 0;
    for (size_t i = 0; i < per_epoch; ++i) {
      const HeteroSample s = train_loader.get(order[i]);
      if (s.types.size() >= 2 && ego_trains(s)) {  // a lone ego receives nothing
        at::Tensor loss;
        {
          AutocastScope autocast(precision);  // bf16 forward, fp32 losses
          loss = collab.loss(s).at("total");
        }
        TORCH_CHECK(std::isfinite(loss.item<double>()), "stage-2 loss is not finite at epoch ",
                    epoch + 1, " sample ", order[i]);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        sum += loss.item<double>();
        ++steps;
      }
      char suffix[64];
      std::snprintf(suffix, sizeof suffix, "loss=%.4f lr=%.2g",
                    steps ? sum / static_cast<double>(steps) : 0.0, lr);
      bar.update(i + 1, suffix);
    }
    bar.finish();
    const double val = mean_val();
    std::vector<double> aps;
    for (size_t k = 0; k < selection.size(); ++k) aps.push_back(validation_ap(k));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    meta.epoch = epoch + 1;
    meta.val_loss = val;
    const bool best = val < meta.best_val_loss;
    if (best) {
      meta.best_val_loss = val;
      meta.best_epoch = epoch + 1;
    }
    std::string ap_log;
    for (size_t k = 0; k < selection.size(); ++k) {
      const bool better = aps[k] > selection[k].best_val_ap;  // ties keep the earlier epoch
      ap_log += fmt::format(", {} val AP@0.5 {:.3f}{}", selection[k].member, aps[k],
                            better ? " (best)" : "");
      if (!better) continue;
      selection[k].best_val_ap = aps[k];
      selection[k].best_epoch = epoch + 1;
      CheckpointMeta b = meta;
      b.val_ap = b.best_val_ap = aps[k];
      b.best_epoch = epoch + 1;
      save_checkpoint(ckpt_dir, best_name(k), *members[selected_members[k]].receiver, nullptr, b);
    }
    // The latest record marks an AP-selected run by a non-negative best_val_ap.
    meta.best_val_ap = select_ap ? std::max(0.0, meta.best_val_ap) : -1.0;
    // Bests first, then latest: an interruption between them loses no finished epoch.
    if (best && !select_ap) save_checkpoint(ckpt_dir, "best", receivers, nullptr, meta);
    save_checkpoint(ckpt_dir, "latest", receivers, &optimizer, meta);
    metrics << epoch + 1 << "," << lr << "," << (steps ? sum / static_cast<double>(steps) : 0.0)
            << "," << val << "," << secs;
    for (const double ap : aps) metrics << "," << ap;
    metrics << "\n";
    metrics.flush();
    logger()->info("adaptation epoch {}/{}: train loss {:.4f}, val loss {:.4f}{}{} ({:.0f} s)",
                   epoch + 1, schedule.epochs, steps ? sum / static_cast<double>(steps) : 0.0, val,
                   best && !select_ap ? " (best)" : "", ap_log, secs);
  }
  if (select_ap) {
    for (size_t k = 0; k < selection.size(); ++k)
      if (checkpoint_exists(ckpt_dir, best_name(k)))
        load_checkpoint(ckpt_dir, best_name(k), *members[selected_members[k]].receiver, nullptr,
                        components);
  } else {
    load_checkpoint(ckpt_dir, "best", receivers, nullptr, components);
  }
  for (const auto& m : members)
    if (is_trainable(m.name))
      save_member_part(alliance_dir, manifest, m.name, "receiver", *m.receiver);
  for (const auto& m : members)
    if (m.store)
      logger()->info("{}: {} local representations read from {}, {} encoded", m.name,
                     m.store->hits(), m.store->dir().string(), m.store->misses());
  AdaptResult r;
  r.epochs_done = meta.epoch;
  r.best_epoch = meta.best_epoch;
  r.best_val_loss = meta.best_val_loss;
  r.selected = selection;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace concord::pipeline
