// `concord export`: a compact copy of a Step-0 checkpoint (weights only, fp16 by
// default, or weight-only int8/int4) for shipping, e.g. the models/ the demo
// starts from.
#include <cstdio>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/build.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "concord/pipeline/experiment.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_export(int argc, char** argv) {
  CommonOptions opts;
  std::string config, run_dir, to, dtype = "fp16";
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("config", po::value(&config)->required(), "Step-0 experiment file (TOML)")(
      "run-dir", po::value(&run_dir), "its run directory (default: runs/<experiment name>)")(
      "to", po::value(&to)->required(), "output folder; receives best.pt and best.toml")(
      "dtype", po::value(&dtype)->default_value("fp16"),
      "fp16 | bf16 | fp32 | int8 | int4 (int8/int4: weight-only quantized conv and linear "
      "weights, fp16 for the rest)");
  po::variables_map vm;
  const std::string usage =
      "usage: concord export --config configs/experiments/step0_m1.toml "
      "--to models/step0_m1/checkpoints [--dtype fp16]\n\n"
      "Writes the best checkpoint of a Step-0 run without optimizer state, its weights\n"
      "stored in --dtype (loading widens them back to fp32), with the plugin record.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  c10::ScalarType type = at::kHalf;
  int weight_bits = 0;
  if (dtype == "bf16")
    type = at::kBFloat16;
  else if (dtype == "fp32")
    type = at::kFloat;
  else if (dtype != "fp16" && dtype != "int8" && dtype != "int4")
    throw ConfigError("--dtype: expected fp16, bf16, fp32, int8 or int4, got \"" + dtype + "\"");
  if (dtype == "int8") weight_bits = 8;
  if (dtype == "int4") weight_bits = 4;
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  const auto spec = pipeline::load_experiment(config, manifests);
  const fs::path dir = run_dir.empty() ? fs::path("runs") / spec.name : fs::path(run_dir);
  auto model = pipeline::build_detector(spec, registry);
  const auto components = pipeline::detector_components(spec);
  auto meta = pipeline::load_checkpoint(dir / "checkpoints", "best", *model, nullptr, components);
  meta.components = components;
  pipeline::cast_floating(*model, type);
  pipeline::save_checkpoint(to, "best", *model, nullptr, meta, weight_bits);
  std::printf("exported %s (epoch %d, val loss %.4f) as %s to %s (%.1f MB)\n",
              (dir / "checkpoints" / "best.pt").string().c_str(), meta.epoch, meta.val_loss,
              dtype.c_str(), to.c_str(),
              static_cast<double>(fs::file_size(fs::path(to) / "best.pt")) / 1e6);
  return 0;
}

}  // namespace concord::host
