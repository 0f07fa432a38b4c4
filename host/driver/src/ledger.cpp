#include "concord/driver/ledger.hpp"

#include <toml++/toml.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "concord/error.hpp"

namespace concord::driver {

namespace fs = std::filesystem;

namespace {

void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      throw Error(path.string() + ": cannot write the stage record");
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(path.string() + ": cannot write the stage record: " + ec.message());
  }
}

}  // namespace

Ledger::Ledger(fs::path run_dir) : run_dir_(std::move(run_dir)) {}

fs::path Ledger::record_path(const std::string& stage) const {
  return run_dir_ / "stages" / (stage + ".toml");
}

std::optional<StageRecord> Ledger::read(const std::string& stage) const {
  const fs::path p = record_path(stage);
  if (!fs::exists(p)) return std::nullopt;
  try {
    const toml::table t = toml::parse_file(p.string());
    StageRecord r;
    r.seconds = t["seconds"].value_or(0.0);
    if (const toml::table* outs = t["outputs"].as_table()) {
      for (const auto& [key, value] : *outs) r.outputs[std::string(key.str())] = value.value_or("");
    }
    return r;
  } catch (const toml::parse_error&) {
    return std::nullopt;  // a damaged record: the stage counts as not finished
  }
}

void Ledger::write(const std::string& stage, const StageRecord& record) const {
  toml::table outs;
  for (const auto& [path, fp] : record.outputs) outs.insert(path, fp);
  toml::table t;
  t.insert("stage", stage);
  t.insert("seconds", record.seconds);
  t.insert("outputs", std::move(outs));
  std::ostringstream text;
  text << "# Concord pipeline: stage \"" << stage
       << "\" finished; its outputs' fingerprints (driver/fingerprint.hpp)\n"
       << t << "\n";
  write_atomically(record_path(stage), text.str());
}

void Ledger::erase(const std::string& stage) const {
  std::error_code ec;
  fs::remove(record_path(stage), ec);
}

void Ledger::write_summary(const std::vector<std::string>& order) const {
  std::string csv = "stage,status,seconds\n";
  for (const std::string& s : order) {
    const auto r = read(s);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", r ? r->seconds : 0.0);
    csv += s + "," + (r ? "done" : "pending") + "," + seconds + "\n";
  }
  write_atomically(run_dir_ / "stages.csv", csv);
}

}  // namespace concord::driver
