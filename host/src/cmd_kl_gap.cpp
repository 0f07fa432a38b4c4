// `concord kl-gap`: the KL domain gap of every alliance member's local and sent
// features to the common representation (the NegoCollab paper's Fig. 4).
#include <cstdio>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/domain_gap.hpp"
#include "concord/pipeline/experiment.hpp"
#include "experiment_options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_kl_gap(int argc, char** argv) {
  CommonOptions opts;
  std::string config, alliance, out = "runs/kl_gap.csv", record;
  int64_t max_samples = 0;
  po::options_description desc("options");
  add_common_options(desc, opts);
  std::string local_store;
  add_local_store_option(desc, local_store);
  desc.add_options()("config", po::value(&config)->required(), "experiment file (TOML)")(
      "alliance", po::value(&alliance),
      "alliance artifact (default: [alliance] dir when joining, else runs/<name>/alliance)")(
      "max-samples", po::value(&max_samples)->default_value(0),
      "validation samples to use (0 = all)")(
      "out", po::value(&out)->default_value("runs/kl_gap.csv"),
      "table agent,representation,kl; rows of other alliances in it are kept")(
      "record", po::value(&record),
      "also write this alliance's rows alone to this file (a pipeline stage's own output)");
  po::variables_map vm;
  const std::string usage =
      "usage: concord kl-gap --config configs/experiments/negocollab_m1m2.toml "
      "[--out runs/kl_gap.csv]\n\n"
      "For every member of the alliance, the KL gap (official definition: centre crop\n"
      "30 %, KLDivLoss(log_softmax over channels, P)) of its local feature and of its\n"
      "sender's output to the common representation P on the validation split.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  const auto spec = pipeline::load_experiment(config, manifests);
  const fs::path dir = !alliance.empty()            ? fs::path(alliance)
                       : !spec.alliance.dir.empty() ? fs::path(spec.alliance.dir)
                                                    : fs::path("runs") / spec.name / "alliance";
  apply_local_store_option(local_store, dir.parent_path());
  std::vector<pipeline::DomainGapRow> rows;
  try {
    rows = pipeline::measure_domain_gap(spec, registry, manifests, dir, max_samples);
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  }
  std::printf("\n%-6s %-28s %10s\n", "agent", "representation", "KL");
  for (const auto& r : rows)
    std::printf("%-6s %-28s %10.5f\n", r.agent.c_str(), r.representation.c_str(), r.kl);
  if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
  pipeline::merge_domain_gap_csv(out, rows);
  std::printf("\nwrote %s\n", out.c_str());
  if (!record.empty()) {
    if (fs::path(record).has_parent_path()) fs::create_directories(fs::path(record).parent_path());
    fs::remove(record);
    pipeline::merge_domain_gap_csv(record, rows);
  }
  return 0;
}

}  // namespace concord::host
