// `concord costs`: trainable parameters, bytes per message and training time of
// a method's run, merged into costs.csv for `concord report` (issue 6).
#include <algorithm>
#include <cstdio>
#include <fstream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/pipeline/method_costs.hpp"
#include "concord/report/run_tables.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

namespace {

// Rows of `csv` whose method is not among `rows`, then `rows`; written through a
// temporary file and rename.
void merge_costs_csv(const fs::path& csv, const std::vector<pipeline::MethodCost>& rows) {
  std::vector<report::CostRow> kept;
  if (fs::exists(csv)) {
    try {
      for (const auto& r : report::read_costs_csv(csv)) {
        const bool replaced = std::any_of(rows.begin(), rows.end(),
                                          [&](const auto& x) { return x.method == r.method; });
        if (!replaced) kept.push_back(r);
      }
    } catch (const formats::FormatError& e) {
      throw Error(e.what());
    }
  }
  for (const auto& r : rows) {
    kept.push_back({r.method, static_cast<double>(r.trainable_parameters),
                    static_cast<double>(r.wire_bytes_fp32), static_cast<double>(r.wire_bytes_wire),
                    r.train_seconds});
  }
  if (csv.has_parent_path()) fs::create_directories(csv.parent_path());
  const fs::path tmp = csv.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "method,trainable_parameters,wire_bytes_fp32,wire_bytes_wire,train_seconds\n";
    for (const auto& r : kept) {
      char line[512];
      std::snprintf(line, sizeof line, "%s,%.0f,%.0f,%.0f,%.1f\n", r.method.c_str(),
                    r.trainable_parameters, r.wire_bytes_fp32, r.wire_bytes_wire, r.train_seconds);
      out << line;
    }
    out.close();
    if (!out) throw Error(tmp.string() + ": cannot write the costs table");
  }
  fs::rename(tmp, csv);
}

}  // namespace

int run_costs(int argc, char** argv) {
  CommonOptions opts;
  std::string config, run_dir, alliance, out = "runs/costs.csv", record, wire = "fp16";
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("config", po::value(&config)->required(), "NegoCollab/baseline experiment")(
      "run-dir", po::value(&run_dir), "its run directory (default: runs/<experiment name>)")(
      "alliance", po::value(&alliance),
      "alliance artifact (default: [alliance] dir when joining, else <run-dir>/alliance)")(
      "wire", po::value(&wire)->default_value("fp16"),
      "wire precision of the second byte column: fp32 | fp16 | bf16")(
      "out", po::value(&out)->default_value("runs/costs.csv"),
      "table method,trainable_parameters,wire_bytes_fp32,wire_bytes_wire,train_seconds; "
      "rows of other methods in it are kept")("record", po::value(&record),
                                              "also write this run's rows alone to this file");
  po::variables_map vm;
  const std::string usage =
      "usage: concord costs --config configs/experiments/negocollab_m1m2.toml "
      "[--out runs/costs.csv]\n\n"
      "For every agent the experiment trains adapters for: its sender + receiver\n"
      "parameters, the bytes of one message (common representation [C, H, W]) at fp32\n"
      "and at --wire precision, and the run's training wall time (metrics.csv).";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  const auto wire_format = pipeline::parse_wire_format(wire, "--wire");
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  const auto spec = pipeline::load_experiment(config, manifests);
  const fs::path dir = run_dir.empty() ? fs::path("runs") / spec.name : fs::path(run_dir);
  const fs::path artifact = !alliance.empty()            ? fs::path(alliance)
                            : !spec.alliance.dir.empty() ? fs::path(spec.alliance.dir)
                                                         : dir / "alliance";
  const auto rows = pipeline::measure_costs(spec, registry, manifests, artifact, dir, wire_format);
  std::printf("\n%-28s %12s %12s %12s %10s\n", "method:agent", "trainable", "bytes fp32",
              ("bytes " + wire).c_str(), "train s");
  for (const auto& r : rows)
    std::printf("%-28s %12lld %12lld %12lld %10.0f\n", r.method.c_str(),
                static_cast<long long>(r.trainable_parameters),
                static_cast<long long>(r.wire_bytes_fp32),
                static_cast<long long>(r.wire_bytes_wire), r.train_seconds);
  merge_costs_csv(out, rows);
  std::printf("\nwrote %s\n", out.c_str());
  if (!record.empty()) {
    fs::remove(record);
    merge_costs_csv(record, rows);
  }
  return 0;
}

}  // namespace concord::host
