#pragma once
/// \file
/// Minimal CSV reading for the run files `concord report` consumes (eval.csv,
/// kl_gap.csv, costs.csv, stages.csv): comma-separated, no quoting, one header
/// line. Every error is one concord::formats::FormatError line naming the file,
/// the line and, where it applies, the column.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace concord::report {

/// A CSV file read into memory.
struct CsvFile {
  /// One data line: its 1-based line number in the file and its fields (trimmed).
  struct Row {
    int line = 0;
    std::vector<std::string> fields;
  };

  std::filesystem::path path;       ///< the file read
  std::vector<std::string> header;  ///< column names of the first non-blank line (trimmed)
  int header_line = 1;              ///< the header's 1-based line number
  std::vector<Row> rows;            ///< data lines, blank lines skipped

  /// True when the header has a column `name`.
  bool has_column(const std::string& name) const;

  /// Index of column `name`. Throws concord::formats::FormatError
  /// "PATH: line H: missing column "NAME" (header: ...)" when absent.
  std::size_t column(const std::string& name) const;

  /// Field `column` of `row` parsed as a number (finite, or nan/inf). Throws
  /// concord::formats::FormatError "PATH: line N, column NAME: expected a
  /// number, got "TEXT"" otherwise.
  double number(const Row& row, std::size_t column) const;
};

/// Reads `path`: the first non-blank line is the header; blank lines are skipped; CR line ends and
/// spaces around fields are stripped. Throws concord::formats::FormatError
/// naming the file when it cannot be opened or is empty, and naming the line
/// when a row's field count differs from the header's.
CsvFile read_csv(const std::filesystem::path& path);

/// Parses `text` as a decimal number ("0.5", "-1e-3", "+2", "nan"). Returns
/// false, leaving `value` unspecified, when `text` is not exactly one number.
bool parse_number(const std::string& text, double& value);

}  // namespace concord::report
