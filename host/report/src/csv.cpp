#include "concord/report/csv.hpp"

#include <charconv>
#include <fstream>

#include "concord/formats/error.hpp"

namespace concord::report {
namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

std::string join(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ",") + f;
  return out;
}

}  // namespace

bool CsvFile::has_column(const std::string& name) const {
  for (const auto& h : header) {
    if (h == name) return true;
  }
  return false;
}

std::size_t CsvFile::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  throw formats::FormatError(path.string(), "line " + std::to_string(header_line) +
                                                ": missing column \"" + name +
                                                "\" (header: " + join(header) + ")");
}

double CsvFile::number(const Row& row, std::size_t column) const {
  double value = 0.0;
  const std::string& text = row.fields.at(column);
  if (!parse_number(text, value)) {
    throw formats::FormatError(path.string(), "line " + std::to_string(row.line) + ", column " +
                                                  header.at(column) +
                                                  ": expected a number, got \"" + text + "\"");
  }
  return value;
}

bool parse_number(const std::string& text, double& value) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  if (first == last) return false;
  const auto [end, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && end == last;
}

CsvFile read_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw formats::FormatError(path.string(), "cannot open the file");
  CsvFile csv;
  csv.path = path;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (trim(line).empty()) continue;
    if (csv.header.empty()) {
      csv.header = split(line);
      csv.header_line = number;
      continue;
    }
    CsvFile::Row row{number, split(line)};
    if (row.fields.size() != csv.header.size()) {
      throw formats::FormatError(path.string(), "line " + std::to_string(number) + ": expected " +
                                                    std::to_string(csv.header.size()) +
                                                    " fields (" + join(csv.header) + "), got " +
                                                    std::to_string(row.fields.size()));
    }
    csv.rows.push_back(std::move(row));
  }
  if (csv.header.empty()) throw formats::FormatError(path.string(), "empty file (no header line)");
  return csv;
}

}  // namespace concord::report
