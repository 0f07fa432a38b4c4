#pragma once
/// \file
/// The report's figures: grouped bar charts and line charts written as PNG by
/// PLplot's pngcairo device (no display needed, nothing printed on success).

#include <filesystem>
#include <string>
#include <vector>

namespace concord::report {

/// Pixel size of every figure (wider than kFigureWidth only when long legend
/// entries need the room: the plot area keeps its width).
inline constexpr int kFigureWidth = 1000;
inline constexpr int kFigureHeight = 560;

/// Bars grouped along x: one group per x label, one coloured bar per series.
struct BarChart {
  std::string title;                        ///< drawn above the plot
  std::string x_label;                      ///< under the group labels
  std::string y_label;                      ///< left of the y axis
  std::vector<std::string> series;          ///< legend entries, one colour each
  std::vector<std::string> groups;          ///< group labels along x
  std::vector<std::vector<double>> values;  ///< values[group][series]; NaN = no bar
};

/// One line of a LineChart.
struct LineSeries {
  std::string name;       ///< legend entry
  std::vector<double> x;  ///< x values, ascending
  std::vector<double> y;  ///< y values, same length as x
};

/// Lines with markers, one colour and marker per series, with a legend.
struct LineChart {
  std::string title;               ///< drawn above the plot
  std::string x_label;             ///< under the x axis
  std::string y_label;             ///< left of the y axis
  std::vector<LineSeries> series;  ///< the lines
};

/// Draws `chart` into the PNG file `png` (kFigureHeight pixels high, at least
/// kFigureWidth wide; the y axis starts at 0; the legend is right of the plot). Throws
/// concord::formats::FormatError naming `png` when the chart is empty or inconsistent (values not
/// groups x series), when PLplot's pngcairo device is missing (package plplot-driver-cairo) or
/// reports an error, or when no file was written.
void draw_grouped_bars(const BarChart& chart, const std::filesystem::path& png);

/// Draws `chart` into the PNG file `png` (sized as draw_grouped_bars). Throws
/// concord::formats::FormatError naming `png` when the chart has no points or a
/// series' x and y differ in length, when PLplot's pngcairo device is missing or
/// reports an error, or when no file was written.
void draw_lines(const LineChart& chart, const std::filesystem::path& png);

}  // namespace concord::report
