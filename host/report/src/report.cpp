// Assembles report.md from the run directory's files.
#include "concord/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>

#include "concord/formats/error.hpp"
#include "concord/report/eval_table.hpp"
#include "concord/report/figures.hpp"
#include "concord/report/markdown.hpp"
#include "concord/report/run_tables.hpp"

namespace fs = std::filesystem;

namespace concord::report {
namespace {

// Columns are ordered like the NegoCollab paper's tables: references first, then
// the one-to-one baselines ("_o2o": each member aligned to its partner), the
// align-to-common baselines, then NegoCollab; unknown modes follow in order of
// appearance.
int mode_rank(const std::string& mode) {
  static const std::vector<std::string> order = {
      "no_fusion", "late_fusion",  "intermediate", "naive", "mpda_o2o",
      "pnpda_o2o", "stamp_o2o",    "mpda",         "pnpda", "stamp",
      "vanilla",   "negocollab_p", "negocollab"};
  const auto it = std::find(order.begin(), order.end(), mode);
  return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

std::string sigma_text(double sigma) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", sigma);
  return buf;
}

bool same_values(const EvalRow& a, const EvalRow& b) {
  return a.ap30 == b.ap30 && a.ap50 == b.ap50 && a.ap70 == b.ap70;
}

// A result column: one mode, from every experiment (experiment empty) when
// they agree, else from one experiment.
struct Method {
  std::string mode;
  std::string experiment;  // empty: any experiment
  std::string label;

  bool matches(const EvalRow& r) const {
    return r.mode == mode && (experiment.empty() || r.experiment == experiment);
  }
};

// The methods of `rows`. A mode reported by several experiments gets one
// column per experiment, labelled "mode (experiment)", only when two of them
// disagree on a result with the same key; otherwise one column "mode".
template <typename Key>
std::vector<Method> methods_of(const std::vector<const EvalRow*>& rows, Key key) {
  std::vector<std::string> modes;
  std::map<std::string, std::vector<std::string>> experiments;  // mode -> in order
  for (const EvalRow* r : rows) {
    if (std::find(modes.begin(), modes.end(), r->mode) == modes.end()) modes.push_back(r->mode);
    auto& e = experiments[r->mode];
    if (std::find(e.begin(), e.end(), r->experiment) == e.end()) e.push_back(r->experiment);
  }
  std::stable_sort(modes.begin(), modes.end(), [](const std::string& a, const std::string& b) {
    return mode_rank(a) < mode_rank(b);
  });
  std::vector<Method> methods;
  for (const auto& mode : modes) {
    bool ambiguous = false;
    std::map<decltype(key(*rows.front())), const EvalRow*> seen;
    for (const EvalRow* r : rows) {
      if (r->mode != mode) continue;
      auto [it, inserted] = seen.emplace(key(*r), r);
      if (!inserted && it->second->experiment != r->experiment && !same_values(*it->second, *r)) {
        ambiguous = true;
      }
    }
    if (!ambiguous) {
      methods.push_back({mode, "", mode});
      continue;
    }
    for (const auto& e : experiments[mode]) methods.push_back({mode, e, mode + " (" + e + ")"});
  }
  return methods;
}

// The last row of `rows` that `method` matches and `pred` accepts.
template <typename Pred>
const EvalRow* find_row(const std::vector<const EvalRow*>& rows, const Method& method, Pred pred) {
  const EvalRow* found = nullptr;
  for (const EvalRow* r : rows) {
    if (method.matches(*r) && pred(*r)) found = r;
  }
  return found;
}

// (collaborators, ego) pairs of `rows`, sorted.
std::vector<std::pair<std::string, std::string>> pairs_of(const std::vector<const EvalRow*>& rows) {
  std::set<std::pair<std::string, std::string>> pairs;
  for (const EvalRow* r : rows) pairs.emplace(r->collaborators, r->ego);
  return {pairs.begin(), pairs.end()};
}

std::string file_safe(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    out += ok ? c : '-';
  }
  return out;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// Shell-quotes `s` when it holds characters a shell would interpret.
std::string shell_arg(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-./+=:,@") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A path for a Markdown link: generic separators, spaces and parentheses escaped.
std::string link_path(const fs::path& p) {
  std::string out;
  for (char c : p.generic_string()) {
    if (c == ' ')
      out += "%20";
    else if (c == '(')
      out += "%28";
    else if (c == ')')
      out += "%29";
    else
      out += c;
  }
  return out;
}

// PNG files in `pictures/` folders at most `max_depth` deep below `run_dir`,
// those whose name contains "negocollab" first, then by path.
std::vector<fs::path> find_pictures(const fs::path& run_dir, int max_depth) {
  std::vector<fs::path> found;
  std::error_code ec;
  auto scan = [&](const fs::path& folder) {
    std::error_code e;
    for (fs::directory_iterator it(folder, e); !e && it != fs::directory_iterator();
         it.increment(e)) {
      std::error_code f;
      if (it->is_regular_file(f) && it->path().extension() == ".png") found.push_back(it->path());
    }
  };
  if (fs::is_directory(run_dir / "pictures", ec)) scan(run_dir / "pictures");
  fs::recursive_directory_iterator it(run_dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code check;
    if (!it->is_directory(check)) continue;
    const fs::path pictures = it->path() / "pictures";
    if (it->path().filename() != "pictures" && fs::is_directory(pictures, check) &&
        it.depth() + 2 <= max_depth) {
      scan(pictures);
    }
    if (it.depth() + 1 >= max_depth) it.disable_recursion_pending();
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::stable_partition(found.begin(), found.end(), [](const fs::path& p) {
    return p.filename().string().find("negocollab") != std::string::npos;
  });
  return found;
}

// report.md being assembled, and the summary of what it holds.
class Writer {
 public:
  void heading(const std::string& h) {
    md_ << "\n" << h << "\n\n";
    if (h.rfind("## ", 0) == 0) summary.sections.push_back(h.substr(3));
  }
  void paragraph(const std::string& text) { md_ << text << "\n\n"; }
  void table(const MarkdownTable& t) {
    md_ << t.str() << "\n";
    ++summary.tables;
  }
  void figure(const fs::path& png, const std::string& alt) {
    summary.figures.push_back(png);
    md_ << "![" << alt << "](" << link_path(png.filename()) << ")\n\n";
  }
  std::string text() const { return md_.str(); }

  ReportSummary summary;

 private:
  std::ostringstream md_;
};

void step0_section(Writer& w, const std::vector<EvalRow>& all) {
  std::vector<const EvalRow*> rows;
  for (const auto& r : all) {
    if (is_step0(r.experiment)) rows.push_back(&r);
  }
  if (rows.empty()) return;
  std::stable_sort(rows.begin(), rows.end(), [](const EvalRow* a, const EvalRow* b) {
    if (a->experiment != b->experiment) return a->experiment < b->experiment;
    if (a->pose_noise != b->pose_noise) return a->pose_noise < b->pose_noise;
    return mode_rank(a->mode) < mode_rank(b->mode);
  });
  w.heading(kStep0Heading);
  w.paragraph(
      "Each agent type's homogeneous collaborative detector (Step 0): the ego alone "
      "(no_fusion), boxes shared between agents of the same type (late_fusion) and BEV "
      "features fused by the detector (intermediate).");
  MarkdownTable t({"experiment", "ego", "mode", "σ", "frames", "GT", "AP@0.3", "AP@0.5", "AP@0.7"},
                  3);
  for (const EvalRow* r : rows) {
    t.add_row({r->experiment, r->ego, r->mode, sigma_text(r->pose_noise), std::to_string(r->frames),
               std::to_string(r->gt), format_number(r->ap30), format_number(r->ap50),
               format_number(r->ap70)});
  }
  w.table(t);
}

void hetero_section(Writer& w, const std::vector<EvalRow>& all, const fs::path& out_dir) {
  std::vector<const EvalRow*> rows;
  for (const auto& r : all) {
    if (!is_step0(r.experiment) && r.pose_noise == 0) rows.push_back(&r);
  }
  if (rows.empty()) return;
  w.heading(kHeteroHeading);
  w.paragraph(
      "The NegoCollab paper's Table 1 analogue: AP@0.5 of the ego's detections when it "
      "collaborates with the listed agent types, without pose noise, one row per experiment "
      "(each evaluates its own baselines on its own data and type assignment). no_fusion is the "
      "ego alone, late_fusion shares boxes, naive fuses features without adaptation; the other "
      "columns are the heterogeneous-collaboration methods. Best per row in bold. The figure "
      "shows the experiments that train a method (not their sub-runs such as noise sweeps).");
  // One column per mode, in the usual order.
  std::vector<std::string> modes;
  for (const EvalRow* r : rows)
    if (std::find(modes.begin(), modes.end(), r->mode) == modes.end()) modes.push_back(r->mode);
  std::stable_sort(modes.begin(), modes.end(), [](const std::string& a, const std::string& b) {
    return mode_rank(a) < mode_rank(b);
  });
  // One row per (collaborators, ego, experiment).
  using Key = std::tuple<std::string, std::string, std::string>;
  std::set<Key> keys;
  for (const EvalRow* r : rows) keys.emplace(r->collaborators, r->ego, r->experiment);
  auto is_baseline = [](const std::string& mode) {
    return mode == "no_fusion" || mode == "late_fusion" || mode == "naive" ||
           mode == "intermediate";
  };
  std::vector<std::string> header = {"collaborators", "ego", "experiment"};
  header.insert(header.end(), modes.begin(), modes.end());
  MarkdownTable t(header, 3);
  BarChart chart;
  chart.title = "AP@0.5 per method (pose noise 0)";
  chart.x_label = "row (listed under the figure)";
  chart.y_label = "AP@0.5";
  chart.series = modes;
  std::string legend;
  for (const auto& [collaborators, ego, experiment] : keys) {
    std::vector<double> values;
    bool trains_a_method = false;
    for (const auto& mode : modes) {
      const EvalRow* found = nullptr;
      for (const EvalRow* r : rows) {
        if (r->collaborators == collaborators && r->ego == ego && r->experiment == experiment &&
            r->mode == mode)
          found = r;
      }
      values.push_back(found ? found->ap50 : NAN);
      if (found && !is_baseline(mode)) trains_a_method = true;
    }
    double best = -INFINITY;
    for (double v : values) {
      if (std::isfinite(v)) best = std::max(best, v);
    }
    std::vector<std::string> cells = {collaborators, ego, experiment};
    for (double v : values) {
      const std::string text = format_number(v);
      cells.push_back(
          std::isfinite(v) && format_number(v) == format_number(best) ? "**" + text + "**" : text);
    }
    t.add_row(cells);
    if (trains_a_method && experiment.find('/') == std::string::npos) {
      // Numbered groups: the long names are listed under the figure instead.
      chart.groups.push_back(std::to_string(chart.groups.size() + 1));
      legend += (legend.empty() ? "" : "; ") + chart.groups.back() + " = " + collaborators +
                ", ego " + ego + " (" + experiment + ")";
      chart.values.push_back(values);
    }
  }
  w.heading(kHeteroAp50Heading);
  w.table(t);
  if (!chart.groups.empty()) {
    const fs::path png = out_dir / "ap50_bars.png";
    draw_grouped_bars(chart, png);
    w.figure(png, "AP@0.5 per method and (collaborators, ego)");
    w.paragraph("Bars: " + legend + ".");
  }

  w.heading(kHeteroFullHeading);
  std::vector<const EvalRow*> sorted = rows;
  std::stable_sort(sorted.begin(), sorted.end(), [](const EvalRow* a, const EvalRow* b) {
    if (a->experiment != b->experiment) return a->experiment < b->experiment;
    if (a->collaborators != b->collaborators) return a->collaborators < b->collaborators;
    if (a->ego != b->ego) return a->ego < b->ego;
    return mode_rank(a->mode) < mode_rank(b->mode);
  });
  MarkdownTable full(
      {"experiment", "collaborators", "ego", "mode", "frames", "GT", "AP@0.3", "AP@0.5", "AP@0.7"},
      4);
  for (const EvalRow* r : sorted) {
    full.add_row({r->experiment, r->collaborators, r->ego, r->mode, std::to_string(r->frames),
                  std::to_string(r->gt), format_number(r->ap30), format_number(r->ap50),
                  format_number(r->ap70)});
  }
  w.table(full);
}

void noise_section(Writer& w, const std::vector<EvalRow>& all, const fs::path& out_dir) {
  std::map<std::string, std::set<double>> sigmas;  // experiment -> pose noise values
  for (const auto& r : all) sigmas[r.experiment].insert(r.pose_noise);
  std::vector<const EvalRow*> rows;
  for (const auto& r : all) {
    if (sigmas[r.experiment].size() > 1) rows.push_back(&r);
  }
  if (rows.empty()) return;
  w.heading(kNoiseHeading);
  w.paragraph(
      "The NegoCollab paper's Table 7 / Fig. 3 analogue: AP@0.5 under Gaussian pose noise of "
      "σ metres on x and y and σ degrees on yaw for every agent (ground truth stays clean), "
      "for the experiments that swept σ.");
  const auto pairs = pairs_of(rows);
  std::map<std::string, int> pairs_per_ego;
  for (const auto& p : pairs) ++pairs_per_ego[p.second];
  for (const auto& [collaborators, ego] : pairs) {
    std::vector<const EvalRow*> mine;
    std::set<double> sigma_set;
    for (const EvalRow* r : rows) {
      if (r->collaborators == collaborators && r->ego == ego) {
        mine.push_back(r);
        sigma_set.insert(r->pose_noise);
      }
    }
    const std::vector<double> sigma(sigma_set.begin(), sigma_set.end());
    const auto methods = methods_of(mine, [](const EvalRow& r) { return r.pose_noise; });
    std::vector<std::string> header = {"method"};
    for (double s : sigma) header.push_back("σ = " + sigma_text(s));
    MarkdownTable t(header, 1);
    LineChart chart;
    chart.title = "AP@0.5 vs pose noise, ego " + ego + " (collaborators " + collaborators + ")";
    chart.x_label = "pose noise σ (m, °)";
    chart.y_label = "AP@0.5";
    for (const auto& m : methods) {
      std::vector<std::string> cells = {m.label};
      LineSeries line{m.label, {}, {}};
      for (double s : sigma) {
        const EvalRow* r = find_row(mine, m, [&](const EvalRow& e) { return e.pose_noise == s; });
        cells.push_back(r ? format_number(r->ap50) : format_number(NAN));
        if (r) {
          line.x.push_back(s);
          line.y.push_back(r->ap50);
        }
      }
      t.add_row(cells);
      chart.series.push_back(line);
    }
    w.heading("### ego " + ego + ", collaborators " + collaborators);
    w.table(t);
    const std::string name = pairs_per_ego[ego] > 1
                                 ? "ap_vs_noise_" + file_safe(ego) + "_" + file_safe(collaborators)
                                 : "ap_vs_noise_" + file_safe(ego);
    const fs::path png = out_dir / (name + ".png");
    draw_lines(chart, png);
    w.figure(png, "AP@0.5 vs pose noise, ego " + ego);
  }
}

void kl_section(Writer& w, const std::vector<KlGapRow>& rows, const fs::path& out_dir) {
  if (rows.empty()) return;
  w.heading(kKlHeading);
  w.paragraph(
      "The NegoCollab paper's Fig. 4 analogue: KL divergence between each agent's "
      "representation and the common one, for the negotiated common representation and a "
      "fixed protocol representation (lower is a smaller domain gap).");
  std::vector<std::string> agents, representations;
  auto add = [](std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  for (const auto& r : rows) {
    add(agents, r.agent);
    add(representations, r.representation);
  }
  std::stable_sort(representations.begin(), representations.end(),
                   [](const std::string& a, const std::string& b) {
                     auto rank = [](const std::string& s) {
                       return s == "negotiated" ? 0 : s == "protocol" ? 1 : 2;
                     };
                     return rank(a) < rank(b);
                   });
  std::vector<std::string> header = {"agent"};
  for (const auto& r : representations) header.push_back("KL, " + r);
  MarkdownTable t(header, 1);
  BarChart chart;
  chart.title = "KL domain gap to the common representation";
  chart.x_label = "agent";
  chart.y_label = "KL divergence";
  chart.series = representations;
  for (const auto& a : agents) {
    std::vector<std::string> cells = {a};
    std::vector<double> values;
    for (const auto& rep : representations) {
      double v = NAN;
      for (const auto& r : rows) {
        if (r.agent == a && r.representation == rep) v = r.kl;
      }
      cells.push_back(format_number(v));
      values.push_back(v);
    }
    t.add_row(cells);
    chart.groups.push_back(a);
    chart.values.push_back(values);
  }
  w.table(t);
  const fs::path png = out_dir / "kl_gap.png";
  draw_grouped_bars(chart, png);
  w.figure(png, "KL domain gap per agent");
}

void costs_section(Writer& w, const std::vector<CostRow>& costs,
                   const std::vector<StageRow>& stages) {
  if (costs.empty() && stages.empty()) return;
  w.heading(kCostsHeading);
  if (!costs.empty()) {
    w.heading(kMethodCostsHeading);
    w.paragraph(
        "Parameters a new agent trains, bytes of one shared feature message (fp32 and the wire "
        "format), and training wall time.");
    MarkdownTable t({"method", "trainable parameters", "wire bytes (fp32)", "wire bytes (wire)",
                     "train seconds", "train time"},
                    1);
    for (const auto& c : costs) {
      t.add_row({c.method, format_count(c.trainable_parameters), format_count(c.wire_bytes_fp32),
                 format_count(c.wire_bytes_wire), format_number(c.train_seconds),
                 format_duration(c.train_seconds)});
    }
    w.table(t);
  }
  if (!stages.empty()) {
    w.heading(kStagesHeading);
    w.paragraph("Wall time of each stage of the pipeline driver (stages.csv).");
    MarkdownTable t({"stage", "status", "seconds", "time"}, 2);
    double total = 0;
    for (const auto& s : stages) {
      t.add_row({s.stage, s.status, format_number(s.seconds), format_duration(s.seconds)});
      if (std::isfinite(s.seconds)) total += s.seconds;
    }
    t.add_row({"**total**", "", "**" + format_number(total) + "**",
               "**" + format_duration(total) + "**"});
    w.table(t);
  }
}

void pictures_section(Writer& w, const std::vector<fs::path>& pictures, const fs::path& out_dir) {
  if (pictures.empty()) return;
  w.heading(kPicturesHeading);
  w.paragraph(
      "Bird's-eye views written by `concord eval --render`: points, ground truth (green) and "
      "predictions (red). " +
      std::to_string(std::min<std::size_t>(pictures.size(), kMaxPictures)) + " of " +
      std::to_string(pictures.size()) + " shown.");
  const fs::path base = fs::absolute(out_dir).lexically_normal();
  for (std::size_t i = 0; i < pictures.size() && i < static_cast<std::size_t>(kMaxPictures); ++i) {
    const fs::path rel = fs::absolute(pictures[i]).lexically_normal().lexically_relative(base);
    const std::string name = pictures[i].filename().string();
    w.paragraph("![" + name + "](" + link_path(rel) + ")  \n*" + name + "*");
    ++w.summary.pictures;
  }
}

}  // namespace

ReportSummary write_report(const ReportOptions& options) {
  const fs::path run_dir = options.run_dir;
  const fs::path out_dir = options.out_dir.empty() ? run_dir / "report" : options.out_dir;
  // Read every input first: a malformed file stops the report before any output.
  const auto eval_files = find_eval_files(run_dir);
  std::vector<EvalRow> rows;
  for (const auto& f : eval_files) {
    auto more = read_eval_csv(f.path, f.experiment);
    rows.insert(rows.end(), more.begin(), more.end());
  }
  std::error_code ec;
  const fs::path kl_file = run_dir / "kl_gap.csv", costs_file = run_dir / "costs.csv",
                 stages_file = run_dir / "stages.csv";
  const auto kl =
      fs::is_regular_file(kl_file, ec) ? read_kl_gap_csv(kl_file) : std::vector<KlGapRow>{};
  const auto costs =
      fs::is_regular_file(costs_file, ec) ? read_costs_csv(costs_file) : std::vector<CostRow>{};
  const auto stages =
      fs::is_regular_file(stages_file, ec) ? read_stages_csv(stages_file) : std::vector<StageRow>{};
  const auto pictures = find_pictures(run_dir, 3);

  fs::create_directories(out_dir, ec);
  if (ec) throw formats::FormatError(out_dir.string(), "cannot create folder: " + ec.message());
  for (const char* stale : {"ap50_bars.png", "kl_gap.png"}) fs::remove(out_dir / stale, ec);
  for (fs::directory_iterator it(out_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("ap_vs_noise_", 0) == 0 && it->path().extension() == ".png") {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }

  Writer w;
  std::string command = "concord report --run-dir " + shell_arg(run_dir.string());
  if (!options.out_dir.empty()) command += " --out " + shell_arg(options.out_dir.string());
  fs::path absolute_run = fs::absolute(run_dir).lexically_normal();
  if (!absolute_run.has_filename()) absolute_run = absolute_run.parent_path();  // "runs/x/"
  std::ostringstream head;
  head << "# Concord report: " << absolute_run.filename().string() << "\n\n"
       << "- Run directory: `" << absolute_run.string() << "`\n"
       << "- Generated: " << (options.generated.empty() ? utc_now() : options.generated) << "\n"
       << "- Regenerate: `" << command << "`\n"
       << "- Inputs: " << eval_files.size() << " eval.csv";
  if (!eval_files.empty()) {
    head << " (";
    for (std::size_t i = 0; i < eval_files.size(); ++i) {
      head << (i ? ", " : "") << "`" << eval_files[i].experiment << "`";
    }
    head << ")";
  }
  for (const auto& [present, name] :
       {std::pair{!kl.empty(), "kl_gap.csv"}, std::pair{!costs.empty(), "costs.csv"},
        std::pair{!stages.empty(), "stages.csv"}}) {
    if (present) head << ", " << name;
  }
  head << "; BEV pictures: " << pictures.size() << "\n\n"
       << "AP is the VOC all-point average precision of BEV boxes at IoU 0.3 / 0.5 / 0.7 on "
          "the test split; numbers are rounded to 3 decimals.\n";
  w.paragraph(head.str());

  step0_section(w, rows);
  hetero_section(w, rows, out_dir);
  noise_section(w, rows, out_dir);
  kl_section(w, kl, out_dir);
  costs_section(w, costs, stages);
  pictures_section(w, pictures, out_dir);
  if (w.summary.sections.empty()) {
    w.paragraph(
        "Nothing to report yet: no eval.csv, kl_gap.csv, costs.csv, stages.csv or "
        "pictures/ were found in the run directory.");
  }

  const fs::path md = out_dir / "report.md";
  std::ofstream out(md, std::ios::binary);
  // At most one blank line between blocks, none at the end.
  std::string text;
  for (char c : w.text()) {
    if (c == '\n' && text.size() >= 2 && text[text.size() - 1] == '\n' &&
        text[text.size() - 2] == '\n') {
      continue;
    }
    text += c;
  }
  while (text.size() > 1 && text[text.size() - 1] == '\n' && text[text.size() - 2] == '\n') {
    text.pop_back();
  }
  out << text;
  out.close();
  if (!out) throw formats::FormatError(md.string(), "cannot write the report");
  ReportSummary summary = w.summary;
  summary.markdown = md;
  return summary;
}

}  // namespace concord::report
