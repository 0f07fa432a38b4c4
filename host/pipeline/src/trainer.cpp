#include "concord/pipeline/trainer.hpp"

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <numeric>
#include <random>

#include "concord/error.hpp"
#include "concord/loader/camera_augment.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/build.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "concord/pipeline/data_source.hpp"
#include "concord/pipeline/evaluator.hpp"
#include "concord/precision.hpp"
#include "concord/progress.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

namespace {

/// Seed of the camera augmentation of one training step: a function of the experiment
/// seed, the 0-based epoch and the sample index only, so a resumed run draws the same.
std::uint64_t augment_seed(std::uint64_t seed, int epoch, std::size_t index) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(epoch), static_cast<std::uint32_t>(index), 0xA06u};
  std::uint32_t out[2];
  seq.generate(out, out + 2);
  return (static_cast<std::uint64_t>(out[0]) << 32) | out[1];
}

}  // namespace

TrainResult train(CollabDetector& model, const ExperimentSpec& spec, const fs::path& run_dir,
                  bool resume) {
  const auto start = std::chrono::steady_clock::now();
  const auto components = detector_components(spec);
  const fs::path ckpt_dir = run_dir / "checkpoints";
  if (spec.data.root.empty()) {
    throw ConfigError(spec.file.string() + ": [data] root is required for training");
  }
  loader::LoaderOptions lo = loader_options(spec);
  lo.depth = lo.cameras;  // depth supervision of camera encoders
  const auto train_source = open_samples(spec.data, spec.data.train_split, lo);
  loader::LoaderOptions val_lo = lo;
  val_lo.pose_noise_xy_m = val_lo.pose_noise_yaw_deg = 0.0;
  const auto val_source = open_samples(spec.data, spec.data.val_split, val_lo);
  if (train_source->size() == 0) {
    throw Error((spec.data.root / spec.data.train_split).string() + ": no training frames");
  }
  const loader::SampleSource& train_loader = *train_source;
  const loader::SampleSource& val_loader = *val_source;

  const Precision precision =
      parse_precision(spec.train.precision, spec.file.string() + ": [train] precision");
  model.set_precision(precision);
  if (precision == Precision::kBf16) to_channels_last(model);
  logger()->info("training precision {}{}", to_string(precision),
                 precision == Precision::kBf16 ? " (CPU autocast, channels_last)" : "");

  torch::manual_seed(spec.seed);
  torch::optim::Adam optimizer(
      model.parameters(),
      torch::optim::AdamOptions(spec.train.lr).weight_decay(spec.train.weight_decay));
  CheckpointMeta meta;
  meta.components = components;
  meta.best_val_loss = std::numeric_limits<double>::infinity();
  const bool select_ap = spec.train.select == "val_ap";
  if (!select_ap && spec.train.select != "val_loss") {
    throw ConfigError(spec.file.string() + ": [train] select = \"" + spec.train.select +
                      "\": expected \"val_loss\" or \"val_ap\"");
  }
  if (resume && checkpoint_exists(ckpt_dir, "latest")) {
    meta = load_checkpoint(ckpt_dir, "latest", model, &optimizer, components);
    meta.components = components;
    logger()->info("resuming {} after epoch {} (best epoch {}: val loss {:.4f}{})",
                   run_dir.string(), meta.epoch, meta.best_epoch, meta.best_val_loss,
                   select_ap ? fmt::format(", val AP@0.5 {:.3f}", meta.best_val_ap) : "");
    if (select_ap && meta.epoch > 0 && meta.best_val_ap < 0.0) {
      throw Error(ckpt_dir.string() +
                  ": the run so far selected on the validation loss; it cannot resume with "
                  "[train] select = \"val_ap\" (choose another --run-dir)");
    }
  } else if (checkpoint_exists(ckpt_dir, "latest")) {
    throw Error(ckpt_dir.string() +
                ": holds a previous run; pass --resume to continue it or "
                "choose another --run-dir");
  }

  std::ofstream metrics(run_dir / "metrics.csv", std::ios::app);
  if (meta.epoch == 0) metrics << "epoch,lr,train_loss,val_loss,val_ap50,seconds\n";
  const std::size_t per_epoch =
      spec.train.max_samples > 0
          ? std::min<std::size_t>(train_loader.size(), spec.train.max_samples)
          : train_loader.size();
  model.train();
  for (int epoch = meta.epoch; epoch < spec.train.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    const double lr = spec.train.lr_at(epoch);
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
    std::vector<std::size_t> order(train_loader.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(spec.seed * 1000003ull + static_cast<std::uint64_t>(epoch));
    std::shuffle(order.begin(), order.end(), rng);
    ProgressBar bar(per_epoch,
                    "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(spec.train.epochs));
    double sum = 0.0;
    for (std::size_t i = 0; i < per_epoch; ++i) {
      auto sample = train_loader.get(order[i]);
      if (spec.train.camera_augment.enabled()) {
        loader::augment_cameras(sample, spec.train.camera_augment,
                                augment_seed(spec.seed, epoch, order[i]));
      }
      auto out = model.forward(sample, FusionMode::kIntermediate);
      auto terms = model.loss(out, sample);
      at::Tensor loss = terms.at("total");
      TORCH_CHECK(std::isfinite(loss.item<double>()), "training loss is not finite at epoch ",
                  epoch + 1, " sample ", order[i]);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      sum += loss.item<double>();
      char suffix[64];
      std::snprintf(suffix, sizeof suffix, "loss=%.4f lr=%.2g", sum / (i + 1), lr);
      bar.update(i + 1, suffix);
    }
    bar.finish();
    const ValidationScores scores = validate(model, val_loader, spec.eval, select_ap);
    const double val = scores.loss;
    const double val_ap = scores.ap50;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    meta.epoch = epoch + 1;
    meta.val_loss = val;
    meta.val_ap = val_ap;
    // Ties keep the earlier epoch.
    const bool best = select_ap ? val_ap > meta.best_val_ap : val < meta.best_val_loss;
    if (best) {
      meta.best_val_loss = val;
      meta.best_val_ap = val_ap;
      meta.best_epoch = epoch + 1;
    }
    // Best first, then latest: an interruption between them loses no finished epoch.
    if (best) save_checkpoint(ckpt_dir, "best", model, nullptr, meta);
    save_checkpoint(ckpt_dir, "latest", model, &optimizer, meta);
    metrics << epoch + 1 << "," << lr << "," << sum / static_cast<double>(per_epoch) << "," << val
            << ",";
    if (select_ap) metrics << val_ap;
    metrics << "," << secs << "\n";
    metrics.flush();
    logger()->info("epoch {}/{}: train loss {:.4f}, val loss {:.4f}{}{} ({:.0f} s)", epoch + 1,
                   spec.train.epochs, sum / static_cast<double>(per_epoch), val,
                   select_ap ? fmt::format(", val AP@0.5 {:.3f}", val_ap) : "",
                   best ? " (best)" : "", secs);
  }
  TrainResult r;
  r.epochs_done = meta.epoch;
  r.best_epoch = meta.best_epoch;
  r.best_val_loss = meta.best_val_loss;
  r.best_val_ap = meta.best_val_ap;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace concord::pipeline
