#include "concord/report/eval_table.hpp"

#include <algorithm>
#include <cmath>
#include <system_error>

#include "concord/formats/error.hpp"
#include "concord/report/csv.hpp"

namespace fs = std::filesystem;

namespace concord::report {
namespace {

int64_t count_field(const CsvFile& csv, const CsvFile::Row& row, std::size_t column) {
  const double v = csv.number(row, column);
  if (!std::isfinite(v) || v < 0 || v != std::floor(v)) {
    throw formats::FormatError(
        csv.path.string(), "line " + std::to_string(row.line) + ", column " + csv.header[column] +
                               ": expected a count, got \"" + row.fields[column] + "\"");
  }
  return static_cast<int64_t>(v);
}

}  // namespace

std::vector<EvalRow> read_eval_csv(const fs::path& path, const std::string& experiment) {
  const CsvFile csv = read_csv(path);
  const bool legacy = csv.has_column("agent") && !csv.has_column("ego");
  const std::size_t ego = csv.column(legacy ? "agent" : "ego");
  const std::size_t collaborators = legacy ? ego : csv.column("collaborators");
  const std::size_t mode = csv.column("mode");
  const std::size_t noise = csv.column("pose_noise");
  const std::size_t frames = csv.column("frames");
  const std::size_t gt = csv.column("gt");
  const std::size_t ap30 = csv.column("ap30");
  const std::size_t ap50 = csv.column("ap50");
  const std::size_t ap70 = csv.column("ap70");
  std::vector<EvalRow> rows;
  for (const auto& r : csv.rows) {
    EvalRow e;
    e.experiment = experiment;
    e.ego = r.fields[ego];
    e.collaborators = r.fields[collaborators];
    e.mode = r.fields[mode];
    for (const auto* text : {&e.ego, &e.collaborators, &e.mode}) {
      if (text->empty()) {
        throw formats::FormatError(path.string(), "line " + std::to_string(r.line) +
                                                      ": empty ego, collaborators "
                                                      "or mode");
      }
    }
    e.pose_noise = csv.number(r, noise);
    e.frames = count_field(csv, r, frames);
    e.gt = count_field(csv, r, gt);
    e.ap30 = csv.number(r, ap30);
    e.ap50 = csv.number(r, ap50);
    e.ap70 = csv.number(r, ap70);
    e.line = r.line;
    rows.push_back(std::move(e));
  }
  return rows;
}

std::vector<EvalFile> find_eval_files(const fs::path& run_dir, int max_depth) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) {
    throw formats::FormatError(run_dir.string(), "not a directory (expected a run directory)");
  }
  std::vector<EvalFile> files;
  auto add = [&](const fs::path& file) {
    const fs::path rel = file.parent_path().lexically_relative(run_dir);
    files.push_back({rel.empty() ? std::string(".") : rel.generic_string(), file});
  };
  if (fs::is_regular_file(run_dir / "eval.csv", ec)) add(run_dir / "eval.csv");
  fs::recursive_directory_iterator it(run_dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    std::error_code check;
    if (!entry.is_directory(check)) continue;
    // it.depth() 0 is a folder directly in run_dir, i.e. folder depth 1.
    const int depth = it.depth() + 1;
    if (fs::is_regular_file(entry.path() / "eval.csv", check)) add(entry.path() / "eval.csv");
    if (depth >= max_depth) it.disable_recursion_pending();
  }
  std::sort(files.begin(), files.end(),
            [](const EvalFile& a, const EvalFile& b) { return a.experiment < b.experiment; });
  return files;
}

std::vector<EvalRow> read_eval_results(const fs::path& run_dir) {
  std::vector<EvalRow> rows;
  for (const auto& f : find_eval_files(run_dir)) {
    auto more = read_eval_csv(f.path, f.experiment);
    rows.insert(rows.end(), more.begin(), more.end());
  }
  return rows;
}

bool is_step0(const std::string& experiment) {
  for (const auto& part : fs::path(experiment))
    if (part.string().rfind("step0_", 0) == 0) return true;
  return false;
}

}  // namespace concord::report
