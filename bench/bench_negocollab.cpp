// bench_negocollab: latency of NegoCollab's trainable parts on the common grid of
// an experiment (default 96 x 96 cells, 64 channels): sender, receiver and
// negotiator forward, and one stage-1 training step (M members, batch B) in fp32
// and bf16 autocast. Random inputs, fixed seed; prints figures, asserts nothing.
//   bench_negocollab <negocollab experiment.toml> [batch] [threads] [size]
#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "concord/logging.hpp"
#include "concord/manifest.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/negotiation.hpp"
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

/// Median-free mean over `reps` runs after one warm-up run.
template <typename F>
double time_ms(F&& f, int reps) {
  f();
  const auto t = Clock::now();
  for (int i = 0; i < reps; ++i) f();
  return ms_since(t) / reps;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::fprintf(stderr,
                   "usage: bench_negocollab <negocollab experiment.toml> [batch] [threads] "
                   "[cells]\n");
      return 2;
    }
    const std::string config = argv[1];
    const int64_t batch = argc > 2 ? std::stoll(argv[2]) : 4;
    const int threads = argc > 3 ? std::stoi(argv[3]) : 0;
    const int64_t cells = argc > 4 ? std::stoll(argv[4]) : 96;
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
    if (!spec.sender || !spec.receiver)
      throw std::runtime_error(config + ": not a NegoCollab experiment ([sender]/[receiver])");
    const size_t members = spec.agents.size();
    torch::manual_seed(303);
    std::vector<std::shared_ptr<concord::Sender>> senders;
    std::vector<std::shared_ptr<concord::Receiver>> receivers;
    for (size_t m = 0; m < members; ++m) {
      senders.push_back(registry.create<concord::Sender>(spec.sender->factory, spec.sender->version,
                                                         spec.sender->params));
      receivers.push_back(registry.create<concord::Receiver>(
          spec.receiver->factory, spec.receiver->version, spec.receiver->params));
    }
    std::shared_ptr<concord::Negotiator> negotiator;
    if (spec.negotiator)
      negotiator = registry.create<concord::Negotiator>(
          spec.negotiator->factory, spec.negotiator->version, spec.negotiator->params);
    concord::BevGrid grid;
    grid.x_min = grid.y_min = -0.4 * static_cast<double>(cells);
    grid.x_max = grid.y_max = 0.4 * static_cast<double>(cells);
    grid.resolution = 0.8;
    auto model = std::make_shared<cp::NegotiationModel>(senders, receivers, negotiator, 64, grid,
                                                        spec.losses);
    auto count = [](torch::nn::Module& m) {
      int64_t n = 0;
      for (const auto& p : m.parameters()) n += p.numel();
      return n;
    };
    std::printf("%s: %zu members, batch %lld, %lldx%lld cells, %d threads, bf16 hardware: %s\n",
                spec.name.c_str(), members, static_cast<long long>(batch),
                static_cast<long long>(cells), static_cast<long long>(cells), rt.intra_op_threads,
                rt.cpu_has_bf16 ? "yes" : "no");
    std::printf("parameters: sender %lld, receiver %lld, negotiator %lld\n\n",
                static_cast<long long>(count(*senders[0])),
                static_cast<long long>(count(*receivers[0])),
                static_cast<long long>(negotiator ? count(*negotiator) : 0));

    std::vector<at::Tensor> locals;
    for (size_t m = 0; m < members; ++m) locals.push_back(at::rand({batch, 64, cells, cells}));
    std::vector<at::Tensor> boxes(
        static_cast<size_t>(batch),
        at::tensor({2.0f, 1.0f, -1.0f, 1.56f, 1.6f, 3.9f, 0.3f}).view({1, 7}));
    at::Tensor occupancy = at::zeros({batch, 1, cells, cells});
    std::vector<std::string> names;
    for (size_t m = 0; m < members; ++m) names.push_back("m" + std::to_string(m));
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));

    std::printf("%-10s %12s %12s %14s %16s\n", "precision", "sender ms", "receiver ms",
                "negotiator ms", "stage-1 step ms");
    for (int variant = 0; variant < 3; ++variant) {
      const auto precision = variant == 0 ? concord::Precision::kFp32 : concord::Precision::kBf16;
      const bool channels_last = variant == 2;
      if (channels_last) {
        concord::to_channels_last(*model);
        for (auto& l : locals) l = l.contiguous(at::MemoryFormat::ChannelsLast);
      }
      const int reps = 2;
      double send = 0, recv = 0, nego = 0;
      try {
        {
          at::NoGradGuard no_grad;
          model->eval();
          concord::AutocastScope autocast(precision);
          send = time_ms([&] { senders[0]->forward(locals[0]); }, reps);
          const at::Tensor msg = senders[0]->forward(locals[0]);
          const at::Tensor prompt = senders[0]->local_prompt(locals[0].narrow(0, 0, 1));
          recv = time_ms([&] { receivers[0]->forward(msg, prompt); }, reps);
          nego = time_ms([&] { model->negotiate(locals); }, reps);
        }
        model->train();
        const double step = time_ms(
            [&] {
              at::Tensor loss;
              {
                concord::AutocastScope autocast(precision);
                loss = model->loss(locals, boxes, occupancy, names).at("total");
              }
              opt.zero_grad();
              loss.backward();
              opt.step();
            },
            reps);
        std::printf("%-10s %12.1f %12.1f %14.1f %16.1f\n",
                    channels_last ? "bf16+cl" : concord::to_string(precision), send, recv, nego,
                    step);
      } catch (const c10::Error& e) {
        std::printf("%-10s unsupported: %s\n", concord::to_string(precision),
                    e.what_without_backtrace());
      }
    }
    std::printf(
        "\nsender/receiver/negotiator: forward of the whole batch (receiver: %lld "
        "messages, one prompt); step: loss (eq. 26) + backward + Adam\n",
        static_cast<long long>(batch));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_negocollab: %s\n", e.what());
    return 1;
  }
}
