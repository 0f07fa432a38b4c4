#include "concord/report/run_tables.hpp"

#include "concord/report/csv.hpp"

namespace concord::report {

std::vector<KlGapRow> read_kl_gap_csv(const std::filesystem::path& path) {
  const CsvFile csv = read_csv(path);
  const std::size_t agent = csv.column("agent");
  const std::size_t representation = csv.column("representation");
  const std::size_t kl = csv.column("kl");
  std::vector<KlGapRow> rows;
  for (const auto& r : csv.rows) {
    rows.push_back({r.fields[agent], r.fields[representation], csv.number(r, kl)});
  }
  return rows;
}

std::vector<CostRow> read_costs_csv(const std::filesystem::path& path) {
  const CsvFile csv = read_csv(path);
  const std::size_t method = csv.column("method");
  const std::size_t params = csv.column("trainable_parameters");
  const std::size_t fp32 = csv.column("wire_bytes_fp32");
  const std::size_t wire = csv.column("wire_bytes_wire");
  const std::size_t seconds = csv.column("train_seconds");
  std::vector<CostRow> rows;
  for (const auto& r : csv.rows) {
    rows.push_back({r.fields[method], csv.number(r, params), csv.number(r, fp32),
                    csv.number(r, wire), csv.number(r, seconds)});
  }
  return rows;
}

std::vector<StageRow> read_stages_csv(const std::filesystem::path& path) {
  const CsvFile csv = read_csv(path);
  const std::size_t stage = csv.column("stage");
  const std::size_t status = csv.column("status");
  const std::size_t seconds = csv.column("seconds");
  std::vector<StageRow> rows;
  for (const auto& r : csv.rows) {
    rows.push_back({r.fields[stage], r.fields[status], csv.number(r, seconds)});
  }
  return rows;
}

}  // namespace concord::report
