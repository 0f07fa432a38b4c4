#include "concord/driver/runner.hpp"

#include <chrono>
#include <set>

#include "concord/driver/fingerprint.hpp"
#include "concord/driver/ledger.hpp"
#include "concord/error.hpp"

namespace concord::driver {

namespace fs = std::filesystem;

namespace {

/// Empty when `record` still describes the outputs on disk, else why not.
std::string stale_reason(const Stage& stage, const StageRecord& record) {
  for (const fs::path& out : stage.outputs) {
    const auto it = record.outputs.find(out.string());
    const std::string now = fingerprint(out);
    if (now.empty()) return out.string() + " is missing";
    if (it == record.outputs.end() || it->second != now) return out.string() + " has changed";
  }
  return "";
}

}  // namespace

RunSummary run_plan(const Plan& plan, const StageExecutor& execute, const RunOptions& options) {
  const auto say = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  const Ledger ledger(plan.ledger_dir.empty() ? plan.run_dir : plan.ledger_dir);
  std::vector<std::string> order;
  for (const Stage& s : plan.stages) order.push_back(s.name);
  std::set<std::string> redone;
  RunSummary summary;
  int index = 0;
  for (const Stage& stage : plan.stages) {
    ++index;
    const std::string tag =
        "[" + std::to_string(index) + "/" + std::to_string(plan.stages.size()) + "] " + stage.name;
    const auto record = options.fresh ? std::nullopt : ledger.read(stage.name);
    std::string upstream;
    for (const std::string& a : stage.after) {
      if (redone.count(a)) upstream = a;
    }
    if (record && upstream.empty()) {
      const std::string why = stale_reason(stage, *record);
      if (why.empty()) {
        say(tag + ": done earlier (" + std::to_string(static_cast<int>(record->seconds)) +
            " s), skipped");
        ++summary.skipped;
        continue;
      }
      say(tag + ": redoing, " + why);
    } else if (record) {
      say(tag + ": redoing, its input stage " + upstream + " was redone");
    }
    // A stage that finished before (or a fresh run) starts from scratch; an
    // interrupted one keeps its files so that its command can resume.
    if (record || options.fresh) {
      for (const fs::path& out : stage.outputs) {
        std::error_code ec;
        fs::remove_all(out, ec);
      }
    }
    ledger.erase(stage.name);
    ledger.write_summary(order);
    say(tag + ": " + stage.summary);
    const auto start = std::chrono::steady_clock::now();
    const int rc = execute(stage);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (rc != 0) {
      throw Error("stage " + stage.name + " failed (exit code " + std::to_string(rc) +
                  "); finished stages are kept, rerun the same command to resume from it");
    }
    StageRecord done;
    done.seconds = seconds;
    for (const fs::path& out : stage.outputs) {
      const std::string fp = fingerprint(out);
      if (fp.empty())
        throw Error("stage " + stage.name + " finished but did not write " + out.string());
      done.outputs[out.string()] = fp;
    }
    ledger.write(stage.name, done);
    ledger.write_summary(order);
    redone.insert(stage.name);
    ++summary.ran;
    summary.seconds += seconds;
    say(tag + ": finished in " + std::to_string(static_cast<int>(seconds + 0.5)) + " s");
  }
  return summary;
}

}  // namespace concord::driver
