#include "summary_table.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "concord/report/eval_table.hpp"

namespace concord::host {

namespace fs = std::filesystem;

std::string hetero_summary_markdown(const std::vector<fs::path>& evals) {
  std::vector<std::string> methods{"no_fusion", "late_fusion", "naive", "negocollab"};
  std::vector<std::pair<std::string, std::string>> rows;  // (collaborators, ego)
  std::map<std::pair<std::string, std::string>, std::map<std::string, double>> ap50;
  for (const fs::path& file : evals) {
    for (const report::EvalRow& r : report::read_eval_csv(file, file.parent_path().string())) {
      if (r.pose_noise != 0.0) continue;
      const auto key = std::make_pair(r.collaborators, r.ego);
      if (std::find(rows.begin(), rows.end(), key) == rows.end()) rows.push_back(key);
      if (std::find(methods.begin(), methods.end(), r.mode) == methods.end())
        methods.push_back(r.mode);
      ap50[key][r.mode] = r.ap50;
    }
  }
  std::vector<std::string> used;
  for (const auto& m : methods) {
    for (const auto& [key, cells] : ap50) {
      if (cells.count(m)) {
        used.push_back(m);
        break;
      }
    }
  }
  std::string md = "| agents | ego |";
  for (const auto& m : used) md += " " + m + " |";
  md += "\n|---|---|";
  for (size_t i = 0; i < used.size(); ++i) md += "---:|";
  md += "\n";
  for (const auto& key : rows) {
    md += "| " + key.first + " | " + key.second + " |";
    const auto& cells = ap50[key];
    for (const auto& m : used) {
      const auto it = cells.find(m);
      char buf[32];
      if (it == cells.end())
        std::snprintf(buf, sizeof buf, " – |");
      else
        std::snprintf(buf, sizeof buf, " %.3f |", it->second);
      md += buf;
    }
    md += "\n";
  }
  return md;
}

}  // namespace concord::host
