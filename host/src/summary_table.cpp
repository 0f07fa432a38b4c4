#include "summary_table.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "concord/error.hpp"

namespace concord::host {

namespace fs = std::filesystem;

namespace {

const char* kHeader = "ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50,ap70";

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  return out;
}

double number(const std::string& s, const fs::path& file, int line, const char* column) {
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(file.string() + ":" + std::to_string(line) + ": " + column +
              ": expected a number, got \"" + s + "\"");
}

}  // namespace

std::string hetero_summary_markdown(const std::vector<fs::path>& evals) {
  std::vector<std::string> methods{"no_fusion", "late_fusion", "naive", "negocollab"};
  std::vector<std::pair<std::string, std::string>> rows;  // (collaborators, ego)
  std::map<std::pair<std::string, std::string>, std::map<std::string, double>> ap50;
  for (const fs::path& file : evals) {
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": cannot read the evaluation table");
    std::string line;
    int n = 1;
    if (!std::getline(in, line) || line != kHeader)
      throw Error(file.string() + ":1: expected the header " + kHeader);
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      const auto c = split_csv(line);
      if (c.size() != 9)
        throw Error(file.string() + ":" + std::to_string(n) + ": expected 9 columns, got " +
                    std::to_string(c.size()));
      if (number(c[3], file, n, "pose_noise") != 0.0) continue;
      const double ap = number(c[7], file, n, "ap50");
      const auto key = std::make_pair(c[1], c[0]);
      if (std::find(rows.begin(), rows.end(), key) == rows.end()) rows.push_back(key);
      if (std::find(methods.begin(), methods.end(), c[2]) == methods.end()) methods.push_back(c[2]);
      ap50[key][c[2]] = ap;
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
