#pragma once
/// \file
/// Fake run directories for the `concord report` tests.

#include <filesystem>
#include <string>

namespace concord::report::test {

/// A fresh empty folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Writes `text` to `path`, creating parent folders.
void write_text(const std::filesystem::path& path, const std::string& text);

/// Reads a whole file ("" when missing).
std::string read_text(const std::filesystem::path& path);

/// Writes a full fake run into `dir`: step0_m1 and step0_m2 evals; the
/// heterogeneous negocollab_m1m2 eval (no_fusion, late_fusion, naive, negocollab
/// for egos m1 and m2); stamp_m1m2 (no_fusion equal to negocollab_m1m2's, naive
/// different for ego m1, stamp); noise_m1m2 (late_fusion and negocollab for ego
/// m1 at pose noise 0, 0.2 and 0.4, equal to negocollab_m1m2 at 0); kl_gap.csv,
/// costs.csv, stages.csv; a 32x24 PNG in negocollab_m1m2/pictures and one in
/// step0_m1/pictures.
void write_full_run(const std::filesystem::path& dir);

/// Writes only step0_m1/eval.csv into `dir`.
void write_step0_only_run(const std::filesystem::path& dir);

}  // namespace concord::report::test
