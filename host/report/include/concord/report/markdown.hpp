#pragma once
/// \file
/// Markdown building blocks of the report: pipe tables and number formatting.

#include <cstddef>
#include <string>
#include <vector>

namespace concord::report {

/// "0.559" for 0.559415: fixed notation with `decimals` digits; "—" for NaN.
std::string format_number(double value, int decimals = 3);

/// A count with thousands separators: "1,234,567" (rounded to an integer);
/// "—" for NaN.
std::string format_count(double value);

/// A duration as "h:mm:ss" (e.g. "1:02:03"), rounded to whole seconds.
std::string format_duration(double seconds);

/// `text` made safe for a table cell: '|' escaped, line breaks replaced by spaces.
std::string escape_cell(const std::string& text);

/// A GitHub-flavoured Markdown pipe table.
class MarkdownTable {
 public:
  /// `header`: column titles (escaped on output). The first `label_columns`
  /// columns are left-aligned, the others (numbers) right-aligned.
  MarkdownTable(std::vector<std::string> header, std::size_t label_columns = 1);

  /// Appends a row; cells are escaped on output. Missing trailing cells are
  /// written empty. Throws std::invalid_argument when the row has more cells
  /// than the header.
  void add_row(std::vector<std::string> cells);

  /// Number of rows added.
  std::size_t rows() const { return rows_.size(); }

  /// The table as Markdown lines, each ending in '\n'.
  std::string str() const;

 private:
  std::vector<std::string> header_;
  std::size_t label_columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace concord::report
