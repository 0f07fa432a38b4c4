#pragma once
/// \file
/// The record of finished stages of a run: `<run>/stages/<stage>.toml` per
/// stage (wall time and the fingerprints of its outputs), and a summary table
/// `<run>/stages.csv` (stage,status,seconds) for reports. Files are written to a
/// temporary name and renamed, so an interrupted run never leaves half a record.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace concord::driver {

/// What the ledger knows about one finished stage.
struct StageRecord {
  double seconds = 0.0;                        ///< wall time of its last run (s)
  std::map<std::string, std::string> outputs;  ///< output path -> fingerprint()
};

/// Finished-stage records of one run directory.
class Ledger {
 public:
  /// The ledger of `run_dir` (created on the first write).
  explicit Ledger(std::filesystem::path run_dir);

  /// The record of `stage`, or nullopt when it never finished or its record is
  /// unreadable (treated as not finished).
  std::optional<StageRecord> read(const std::string& stage) const;

  /// Writes the record of `stage` atomically. Throws concord::Error naming the file.
  void write(const std::string& stage, const StageRecord& record) const;

  /// Removes the record of `stage` (before it is redone).
  void erase(const std::string& stage) const;

  /// Rewrites `<run>/stages.csv` with one row per stage of `order` that has a
  /// record ("done") or not ("pending"). Throws concord::Error naming the file.
  void write_summary(const std::vector<std::string>& order) const;

 private:
  std::filesystem::path record_path(const std::string& stage) const;
  std::filesystem::path run_dir_;
};

}  // namespace concord::driver
