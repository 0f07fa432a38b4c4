// bench_detector: per-agent-type latency of the Step-0 collaborative detector
// (encoder → warp → fusion → head) on real samples of a dataset split, at each
// compute setting: fp32 / fp32 + channels_last / bf16 autocast / bf16 +
// channels_last. Prints inference ms per sample (ego-only and all agents),
// training-step ms (forward + loss + backward), and how far bf16
// logits drift from fp32 (max |Δ| and the share of anchors whose score crosses 0.2),
// and the time the loader takes to read and decode one sample.
//
// Usage: bench_detector <experiment.toml> [samples=4] [threads=0] [split=test]
// Run from the repository root (the experiment's data.root is relative to it).
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "concord/logging.hpp"
#include "concord/manifest.hpp"
#include "concord/pipeline/build.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/plugin_loader.hpp"
#include "concord/precision.hpp"
#include "concord/runtime.hpp"
#include "concord/version.hpp"

namespace cp = concord::pipeline;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::fprintf(stderr, "usage: bench_detector <experiment.toml> [samples] [threads] [split]\n");
      return 2;
    }
    const std::string config = argv[1];
    const int samples = argc > 2 ? std::stoi(argv[2]) : 4;
    const int threads = argc > 3 ? std::stoi(argv[3]) : 0;
    const std::string split = argc > 4 ? argv[4] : "test";
    concord::set_log_level("warn");
    const auto rt = concord::configure_runtime(threads);

    concord::Registry registry;
    std::vector<std::string> errors;
    auto manifests = concord::discover_manifests(concord::plugin_search_path({}), &errors);
    concord::PluginLoader loader(
        registry,
        concord::PluginContext{concord::logger(), c10::Device(c10::kCPU), concord::version()});
    loader.load_all(manifests);
    const auto spec = cp::load_experiment(config, manifests);
    concord::formats::Opv2vDataset dataset(spec.data.root, split);
    concord::loader::CollabLoader data(dataset, cp::loader_options(spec));
    const std::size_t n = std::min<std::size_t>(data.size(), static_cast<std::size_t>(samples));
    std::vector<concord::loader::CollabSample> batch;
    std::size_t agents = 0;
    const auto load_start = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(data.get(i * (data.size() / n)));
      agents += batch.back().agents.size();
    }
    const double load_ms = ms_since(load_start) / static_cast<double>(std::max<std::size_t>(n, 1));
    std::printf("%s: %zu samples of %s/%s (%.1f agents each), %d threads, bf16 hardware: %s\n",
                spec.name.c_str(), n, spec.data.root.string().c_str(), split.c_str(),
                static_cast<double>(agents) / static_cast<double>(n), rt.intra_op_threads,
                rt.cpu_has_bf16 ? "yes" : "no");
    std::printf(
        "loading (read + decode every agent's sensors, labels, poses): %.1f ms per sample\n",
        load_ms);

    auto model = cp::build_detector(spec, registry);
    std::int64_t params = 0;
    for (const auto& p : model->parameters()) params += p.numel();
    std::printf("parameters: %lld\n\n", static_cast<long long>(params));
    std::printf("%-22s %14s %14s %14s\n", "setting", "ego-only ms", "collab ms", "train step ms");

    // fp32 reference logits for the drift check.
    std::vector<at::Tensor> ref;
    model->eval();
    {
      torch::NoGradGuard ng;
      for (const auto& s : batch) {
        ref.push_back(model->forward(s, cp::FusionMode::kIntermediate).head.cls);
      }
    }
    struct Setting {
      const char* name;
      concord::Precision precision;
      bool channels_last;
    };
    const Setting settings[] = {{"fp32", concord::Precision::kFp32, false},
                                {"fp32 channels_last", concord::Precision::kFp32, true},
                                {"bf16", concord::Precision::kBf16, false},
                                {"bf16 channels_last", concord::Precision::kBf16, true}};
    // Inference first for every setting (training steps update BatchNorm
    // statistics, which would move the logits the drift check compares).
    double ego_ms[4] = {}, collab_ms[4] = {}, train_ms[4] = {}, drift[4] = {}, flips[4] = {};
    double anchors = 0.0;
    const int order[4] = {0, 2, 1, 3};  // channels_last is one-way: plain settings first
    for (int k : order) {
      const auto& st = settings[k];
      if (st.channels_last) concord::to_channels_last(*model);
      model->set_precision(st.precision);
      model->eval();
      torch::NoGradGuard ng;
      model->forward(batch[0], cp::FusionMode::kNone);  // warm-up
      anchors = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        auto t = Clock::now();
        model->forward(batch[i], cp::FusionMode::kNone);
        ego_ms[k] += ms_since(t);
        t = Clock::now();
        at::Tensor cls = model->forward(batch[i], cp::FusionMode::kIntermediate).head.cls;
        collab_ms[k] += ms_since(t);
        drift[k] = std::max(drift[k], (cls - ref[i]).abs().max().item<double>());
        flips[k] += ((cls.sigmoid() > 0.2) != (ref[i].sigmoid() > 0.2)).sum().item<double>();
        anchors += static_cast<double>(cls.numel());
      }
    }
    // Training steps per setting, after every inference pass (they move BatchNorm
    // statistics). Plain layouts first: the weights go back to contiguous NCHW.
    {
      torch::NoGradGuard ng;
      for (auto& p : model->parameters()) p.set_data(p.contiguous());
      for (auto& b : model->buffers()) b.set_data(b.contiguous());
    }
    for (int k : order) {
      if (k == 1) {  // drop the NCHW gradients so the channels_last ones match the weights
        for (auto& p : model->parameters()) p.mutable_grad() = at::Tensor();
        concord::to_channels_last(*model);
      }
      model->set_precision(settings[k].precision);
      model->train();
      for (std::size_t i = 0; i < n; ++i) {
        const auto t = Clock::now();
        auto out = model->forward(batch[i], cp::FusionMode::kIntermediate);
        auto loss = model->head().loss(out.head, {batch[i].gt_boxes}).at("total");
        model->zero_grad();
        loss.backward();
        train_ms[k] += ms_since(t);
      }
    }
    for (int k = 0; k < 4; ++k) {
      char train[32] = "-";
      if (train_ms[k] > 0) std::snprintf(train, sizeof train, "%.1f", train_ms[k] / n);
      std::printf("%-22s %14.1f %14.1f %14s   max|dlogit| %.3g, score>0.2 flips %.4f%%\n",
                  settings[k].name, ego_ms[k] / n, collab_ms[k] / n, train, drift[k],
                  100.0 * flips[k] / std::max(anchors, 1.0));
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_detector: %s\n", e.what());
    return 1;
  }
}
