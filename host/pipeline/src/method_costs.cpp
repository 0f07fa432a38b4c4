#include "concord/pipeline/method_costs.hpp"

#include <fstream>
#include <sstream>

#include "concord/error.hpp"
#include "concord/pipeline/adaptation.hpp"
#include "concord/pipeline/alliance.hpp"
#include "concord/pipeline/negotiation.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

namespace {

double seconds_column_sum(const fs::path& csv) {
  std::ifstream in(csv);
  if (!in) return 0.0;
  std::string line;
  if (!std::getline(in, line)) return 0.0;
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string f; std::getline(hs, f, ',');) header.push_back(f);
  size_t col = header.size();
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == "seconds") col = i;
  if (col == header.size()) throw Error(csv.string() + ":1: no \"seconds\" column");
  double sum = 0.0;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    std::stringstream ls(line);
    std::string f;
    for (size_t i = 0; i <= col && std::getline(ls, f, ','); ++i) {
    }
    try {
      size_t used = 0;
      sum += std::stod(f, &used);
      if (used != f.size()) throw std::invalid_argument(f);
    } catch (const std::exception&) {
      throw Error(csv.string() + ":" + std::to_string(n) + ": seconds: expected a number, got \"" +
                  f + "\"");
    }
  }
  return sum;
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace

double training_seconds(const fs::path& run_dir) {
  double sum = 0.0;
  for (const char* sub : {".", "adapt", "join", "join_adapt"})
    sum += seconds_column_sum(run_dir / sub / "metrics.csv");
  return sum;
}

std::vector<MethodCost> measure_costs(const ExperimentSpec& spec, const Registry& registry,
                                      const std::vector<PluginManifest>& manifests,
                                      const fs::path& alliance_dir, const fs::path& run_dir,
                                      WireFormat wire) {
  if (!fs::exists(alliance_dir / "alliance.toml"))
    throw Error((alliance_dir / "alliance.toml").string() +
                ": no alliance artifact (run concord negotiate / join first)");
  const AllianceManifest alliance = read_alliance(alliance_dir);
  const CommonSpec& c = alliance.common;
  const std::vector<std::string> names = agent_names(spec);
  const auto members = load_hetero_members(spec, registry, manifests, names, alliance_dir);
  const double seconds = training_seconds(run_dir);
  std::vector<MethodCost> rows;
  for (const auto& m : members) {
    MethodCost r;
    r.method = spec.name + ":" + m.name;
    if (m.sender) r.trainable_parameters += parameter_count(*m.sender);
    if (m.receiver) r.trainable_parameters += parameter_count(*m.receiver);
    r.wire_bytes_fp32 = message_bytes(c.channels, c.height(), c.width(), WireFormat::kFp32);
    r.wire_bytes_wire = message_bytes(c.channels, c.height(), c.width(), wire);
    r.train_seconds = seconds;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace concord::pipeline
