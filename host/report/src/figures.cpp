// PLplot (C++ binding, pngcairo device) drawings of the report's figures.
#include "concord/report/figures.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "concord/formats/error.hpp"

namespace fs = std::filesystem;

namespace concord::report {
namespace {

// Colour map 0: 0 background (white), 1 axes and text (black), 2 grid (light
// grey), then the ten "tab10" colours for series.
constexpr PLINT kRed[] = {255, 0, 200, 31, 255, 44, 214, 148, 140, 227, 127, 188, 23};
constexpr PLINT kGreen[] = {255, 0, 200, 119, 127, 160, 39, 103, 86, 119, 127, 189, 190};
constexpr PLINT kBlue[] = {255, 0, 200, 180, 14, 44, 40, 189, 75, 194, 127, 34, 207};
constexpr PLINT kColours = sizeof kRed / sizeof kRed[0];
constexpr PLINT kText = 1;
constexpr PLINT kGrid = 2;
constexpr PLINT kFirstSeries = 3;
constexpr PLINT kSeriesColours = kColours - kFirstSeries;

PLINT series_colour(std::size_t i) {
  return kFirstSeries + static_cast<PLINT>(i) % kSeriesColours;
}

// Markers of line series (drawn as text by cairo/pango).
const char* const kMarkers[] = {"●", "■", "▲", "◆", "▼", "★"};

// The message of PLplot's last plabort(), instead of its stderr line.
std::string& abort_message() {
  static std::string message;
  return message;
}

void on_plplot_abort(PLCHAR_VECTOR message) {
  abort_message() = message ? message : "error";
}

// PLplot treats '#' as its escape character.
std::string plplot_text(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '#' ? std::string("##") : std::string(1, c);
  return out;
}

// Thrown by on_plplot_exit: PLplot's fatal errors (plexit) would otherwise
// print to stderr and exit the process.
struct PlplotExit {
  std::string message;
};

int on_plplot_exit(PLCHAR_VECTOR message) {
  throw PlplotExit{message ? message : "error"};
}

// Whether PLplot has the pngcairo device. `why` gets PLplot's message when it
// found no device drivers at all (it exits the process in that case, so the
// exit handler throws instead while the devices are listed).
bool pngcairo_available(std::string& why) {
  static std::string failure;
  static const bool available = [] {
    int n = 128;
    std::vector<PLCHAR_VECTOR> menus(static_cast<std::size_t>(n)), names(menus.size());
    PLCHAR_VECTOR* menu_ptr = menus.data();
    PLCHAR_VECTOR* name_ptr = names.data();
    plsexit(on_plplot_exit);
    try {
      plgFileDevs(&menu_ptr, &name_ptr, &n);
    } catch (const PlplotExit& e) {
      failure = e.message;
      n = 0;
    }
    plsexit(nullptr);
    for (int i = 0; i < n; ++i) {
      if (names[static_cast<std::size_t>(i)] &&
          std::string(names[static_cast<std::size_t>(i)]) == "pngcairo") {
        return true;
      }
    }
    return false;
  }();
  why = failure;
  return available;
}

// Page width in pixels and the viewport's x range for a legend whose longest
// entry has `legend_chars` characters: the plot keeps its width and the page
// grows to the right for long legend entries.
struct Layout {
  int width = kFigureWidth;
  double x_min = 0, x_max = 1;
};

Layout layout_for(std::size_t legend_chars) {
  constexpr int kLeft = 100, kPlot = 640, kRightPad = 20;
  const int legend = 80 + static_cast<int>(10.5 * static_cast<double>(legend_chars));
  Layout l;
  l.width = std::max(kFigureWidth, kLeft + kPlot + legend + kRightPad);
  l.x_min = static_cast<double>(kLeft) / l.width;
  l.x_max = static_cast<double>(l.width - legend - kRightPad) / l.width;
  return l;
}

// A PLplot stream drawing one page into a PNG file; finish() closes the file
// and checks for errors.
class Figure {
 public:
  Figure(const fs::path& png, std::size_t legend_chars)
      : png_(png), layout_(layout_for(legend_chars)) {
    std::string why;
    if (!pngcairo_available(why)) {
      throw formats::FormatError(png.string(),
                                 "PLplot has no pngcairo device (install "
                                 "plplot-driver-cairo)" +
                                     (why.empty() ? "" : ": " + why));
    }
    std::error_code ec;
    fs::remove(png, ec);
    abort_message().clear();
    plsabort(on_plplot_abort);
    pls_ = std::make_unique<plstream>();
    pls_->sdev("pngcairo");
    pls_->sfnam(png.string().c_str());
    pls_->spage(0, 0, layout_.width, kFigureHeight, 0, 0);
    pls_->scmap0(kRed, kGreen, kBlue, kColours);
    pls_->init();
    pls_->adv(0);
    pls_->col0(kText);
    pls_->vpor(layout_.x_min, layout_.x_max, 0.16, 0.9);
    check();
  }

  plstream& operator*() { return *pls_; }

  void finish() {
    pls_.reset();  // plend1: writes and closes the file
    check();
    std::error_code ec;
    if (!fs::is_regular_file(png_, ec) || fs::file_size(png_, ec) == 0) {
      throw formats::FormatError(png_.string(), "PLplot wrote no PNG file");
    }
  }

 private:
  void check() const {
    if (!abort_message().empty()) {
      throw formats::FormatError(png_.string(), "PLplot: " + abort_message());
    }
  }

  fs::path png_;
  Layout layout_;
  std::unique_ptr<plstream> pls_;
};

double y_top(double max_value) {
  if (!std::isfinite(max_value) || max_value <= 0) return 1.0;
  return max_value * 1.15;
}

std::size_t longest(const std::vector<std::string>& texts) {
  std::size_t n = 0;
  for (const auto& t : texts) n = std::max(n, t.size());
  return n;
}

// Grid lines (horizontal; vertical too with `x_grid`), axis labels and title.
// Drawn before the data so the grid stays underneath.
void draw_frame(plstream& pls, bool x_grid, const std::string& title, const std::string& x_label,
                const std::string& y_label) {
  pls.col0(kGrid);
  pls.box(x_grid ? "g" : "", 0, 0, "g", 0, 0);
  pls.col0(kText);
  pls.mtex("b", 3.5, 0.5, 0.5, plplot_text(x_label).c_str());
  pls.mtex("l", 4.0, 0.5, 0.5, plplot_text(y_label).c_str());
  pls.schr(0, 1.2);
  pls.mtex("t", 1.2, 0.5, 0.5, plplot_text(title).c_str());
  pls.schr(0, 1.0);
}

// One legend entry: its text, colour, kind (PL_LEGEND_COLOR_BOX or
// PL_LEGEND_LINE | PL_LEGEND_SYMBOL) and marker.
struct LegendEntry {
  std::string text;
  PLINT colour;
  PLINT kind;
  const char* marker;
};

// Draws the legend right of the viewport, vertically centred; `sample_width`
// is the width of the colour box or line sample in viewport units.
void draw_legend(plstream& pls, const std::vector<LegendEntry>& entries, double sample_width) {
  const std::size_t n = entries.size();
  std::vector<PLINT> kinds, colours, text_colours(n, kText), patterns(n, 0), line_styles(n, 1),
      symbol_numbers(n, 1);
  std::vector<PLFLT> box_scales(n, 0.8), box_widths(n, 1), line_widths(n, 2), symbol_scales(n, 1);
  std::vector<std::string> texts;
  std::vector<PLCHAR_VECTOR> text_ptrs, markers;
  for (const auto& e : entries) {
    kinds.push_back(e.kind);
    colours.push_back(e.colour);
    texts.push_back(plplot_text(e.text));
    markers.push_back(e.marker);
  }
  for (const auto& t : texts) text_ptrs.push_back(t.c_str());
  PLFLT width = 0, height = 0;
  pls.legend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_VIEWPORT | PL_POSITION_OUTSIDE | PL_POSITION_RIGHT, 0.02, 0, sample_width,
             0, kText, 1, static_cast<PLINT>(n), 1, static_cast<PLINT>(n), kinds.data(), 0.6, 0.8,
             2.0, 0, text_colours.data(), text_ptrs.data(), colours.data(), patterns.data(),
             box_scales.data(), box_widths.data(), colours.data(), line_styles.data(),
             line_widths.data(), colours.data(), symbol_scales.data(), symbol_numbers.data(),
             markers.data());
}

}  // namespace

void draw_grouped_bars(const BarChart& chart, const fs::path& png) {
  const std::size_t groups = chart.groups.size(), series = chart.series.size();
  if (groups == 0 || series == 0) {
    throw formats::FormatError(png.string(), "bar chart \"" + chart.title + "\" has no data");
  }
  double max_value = 0;
  if (chart.values.size() != groups) {
    throw formats::FormatError(png.string(), "bar chart: values are not groups x series");
  }
  for (const auto& g : chart.values) {
    if (g.size() != series) {
      throw formats::FormatError(png.string(), "bar chart: values are not groups x series");
    }
    for (double v : g) {
      if (std::isfinite(v)) max_value = std::max(max_value, v);
    }
  }
  Figure fig(png, longest(chart.series));
  plstream& pls = *fig;
  const double top = y_top(max_value);
  pls.wind(0, static_cast<PLFLT>(groups), 0, top);
  draw_frame(pls, false, chart.title, chart.x_label, chart.y_label);

  const double group_width = 0.8, bar = group_width / static_cast<double>(series);
  const bool value_labels = groups * series <= 40;
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t s = 0; s < series; ++s) {
      const double v = chart.values[g][s];
      if (!std::isfinite(v)) continue;
      const double x0 = static_cast<double>(g) + (1 - group_width) / 2 + bar * s;
      const double h = std::max(0.0, v);
      PLFLT xs[] = {x0, x0 + bar, x0 + bar, x0};
      PLFLT ys[] = {0, 0, h, h};
      pls.col0(series_colour(s));
      pls.fill(4, xs, ys);
      pls.col0(kText);
      PLFLT ox[] = {x0, x0, x0 + bar, x0 + bar};
      PLFLT oy[] = {0, h, h, 0};
      pls.line(4, ox, oy);
      if (value_labels) {
        char text[32];
        std::snprintf(text, sizeof text, " %.3f", v);
        pls.schr(0, 0.65);
        pls.ptex(x0 + bar / 2, h + top * 0.01, 0, 1, 0, text);
        pls.schr(0, 1.0);
      }
    }
  }
  pls.col0(kText);
  pls.box("bc", 0, 0, "bcnstv", 0, 0);
  // Group labels: "a, b" on two lines (a under b), smaller when groups are many,
  // so that neighbouring labels do not run into each other.
  pls.schr(0, groups > 4 ? 0.8 : 1.0);
  for (std::size_t g = 0; g < groups; ++g) {
    const double x = (static_cast<double>(g) + 0.5) / static_cast<double>(groups);
    const std::string& label = chart.groups[g];
    const std::size_t comma = label.find(", ");
    if (comma == std::string::npos) {
      pls.mtex("b", 1.5, x, 0.5, plplot_text(label).c_str());
    } else {
      pls.mtex("b", 1.3, x, 0.5, plplot_text(label.substr(0, comma)).c_str());
      pls.mtex("b", 2.4, x, 0.5, plplot_text(label.substr(comma + 2)).c_str());
    }
  }
  pls.schr(0, 1.0);

  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < series; ++i) {
    legend.push_back({chart.series[i], series_colour(i), PL_LEGEND_COLOR_BOX, ""});
  }
  draw_legend(pls, legend, 0.04);
  fig.finish();
}

void draw_lines(const LineChart& chart, const fs::path& png) {
  double x_min = INFINITY, x_max = -INFINITY, y_max = 0;
  std::vector<std::string> names;
  for (const auto& s : chart.series) {
    if (s.x.size() != s.y.size()) {
      throw formats::FormatError(png.string(),
                                 "line chart: series \"" + s.name + "\": x and y differ in length");
    }
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i])) continue;
      x_min = std::min(x_min, s.x[i]);
      x_max = std::max(x_max, s.x[i]);
      if (std::isfinite(s.y[i])) y_max = std::max(y_max, s.y[i]);
    }
    names.push_back(s.name);
  }
  if (!(x_min <= x_max)) {
    throw formats::FormatError(png.string(), "line chart \"" + chart.title + "\" has no points");
  }
  const double pad = x_max > x_min ? 0.05 * (x_max - x_min) : 0.5;
  Figure fig(png, longest(names) + 2);
  plstream& pls = *fig;
  pls.wind(x_min - pad, x_max + pad, 0, y_top(y_max));
  draw_frame(pls, true, chart.title, chart.x_label, chart.y_label);
  pls.col0(kText);
  pls.box("bcnst", 0, 0, "bcnstv", 0, 0);

  const std::size_t n = chart.series.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& s = chart.series[i];
    std::vector<PLFLT> x, y;
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      if (std::isfinite(s.x[k]) && std::isfinite(s.y[k])) {
        x.push_back(s.x[k]);
        y.push_back(s.y[k]);
      }
    }
    if (x.empty()) continue;
    pls.col0(series_colour(i));
    pls.width(2.0);
    pls.line(static_cast<PLINT>(x.size()), x.data(), y.data());
    pls.width(1.0);
    pls.string(static_cast<PLINT>(x.size()), x.data(), y.data(),
               kMarkers[i % (sizeof kMarkers / sizeof kMarkers[0])]);
  }
  pls.col0(kText);

  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < n; ++i) {
    legend.push_back({chart.series[i].name, series_colour(i), PL_LEGEND_LINE | PL_LEGEND_SYMBOL,
                      kMarkers[i % (sizeof kMarkers / sizeof kMarkers[0])]});
  }
  draw_legend(pls, legend, 0.07);
  fig.finish();
}

}  // namespace concord::report
