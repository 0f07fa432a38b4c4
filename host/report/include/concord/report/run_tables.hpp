#pragma once
/// \file
/// The optional run-level CSV files of a run directory: kl_gap.csv (domain gap
/// of the negotiated vs the protocol representation), costs.csv (per method)
/// and stages.csv (pipeline driver timings).

#include <filesystem>
#include <string>
#include <vector>

namespace concord::report {

/// One line of kl_gap.csv (`agent,representation,kl`).
struct KlGapRow {
  std::string agent;           ///< agent type, e.g. "m3"
  std::string representation;  ///< "negotiated" or "protocol" (free text)
  double kl = 0.0;             ///< KL divergence to the common representation
};

/// One line of costs.csv
/// (`method,trainable_parameters,wire_bytes_fp32,wire_bytes_wire,train_seconds`).
struct CostRow {
  std::string method;                 ///< e.g. "negocollab"
  double trainable_parameters = 0.0;  ///< parameters trained for a new agent
  double wire_bytes_fp32 = 0.0;       ///< bytes per message as fp32 features
  double wire_bytes_wire = 0.0;       ///< bytes per message in the wire format
  double train_seconds = 0.0;         ///< training wall time
};

/// One line of stages.csv (`stage,status,seconds`).
struct StageRow {
  std::string stage;     ///< pipeline stage name
  std::string status;    ///< e.g. "done", "skipped", "failed" (free text)
  double seconds = 0.0;  ///< wall time of the stage
};

/// Reads kl_gap.csv. Throws concord::formats::FormatError naming the file and
/// the line on a missing column, a wrong field count or a non-numeric kl.
std::vector<KlGapRow> read_kl_gap_csv(const std::filesystem::path& path);

/// Reads costs.csv. Throws concord::formats::FormatError naming the file and
/// the line on a missing column, a wrong field count or a non-numeric value.
std::vector<CostRow> read_costs_csv(const std::filesystem::path& path);

/// Reads stages.csv. Throws concord::formats::FormatError naming the file and
/// the line on a missing column, a wrong field count or non-numeric seconds.
std::vector<StageRow> read_stages_csv(const std::filesystem::path& path);

}  // namespace concord::report
