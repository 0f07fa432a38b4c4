#include "concord/report/markdown.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace concord::report {

std::string format_number(double value, int decimals) {
  if (std::isnan(value)) return "—";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s = buf;
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // "-0.000"
  return s;
}

std::string format_count(double value) {
  if (std::isnan(value)) return "—";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", std::abs(value));
  std::string digits = buf, out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (value < 0 && out != "0" ? "-" : "") + out;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "—";
  const long long total = std::llround(std::abs(seconds));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%lld:%02lld:%02lld", seconds < 0 ? "-" : "", total / 3600,
                total / 60 % 60, total % 60);
  return buf;
}

std::string escape_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

MarkdownTable::MarkdownTable(std::vector<std::string> header, std::size_t label_columns)
    : header_(std::move(header)), label_columns_(label_columns) {}

void MarkdownTable::add_row(std::vector<std::string> cells) {
  if (cells.size() > header_.size()) {
    throw std::invalid_argument("MarkdownTable: row of " + std::to_string(cells.size()) +
                                " cells for " + std::to_string(header_.size()) + " columns");
  }
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

std::string MarkdownTable::str() const {
  auto line = [](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (const auto& c : cells) s += " " + escape_cell(c) + " |";
    return s + "\n";
  };
  std::string out = line(header_) + "|";
  for (std::size_t i = 0; i < header_.size(); ++i) out += i < label_columns_ ? "---|" : "---:|";
  out += "\n";
  for (const auto& r : rows_) out += line(r);
  return out;
}

}  // namespace concord::report
