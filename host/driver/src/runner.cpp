#include "concord/driver/runner.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "concord/driver/fingerprint.hpp"
#include "concord/driver/ledger.hpp"
#include "concord/error.hpp"

namespace concord::driver {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

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

/// Where one stage stands during run_plan.
enum class State { kSkipped, kPending, kRunning, kDone, kFailed };

}  // namespace

RunSummary run_plan(const Plan& plan, const StageExecutor& execute, const RunOptions& options) {
  return run_plan(plan, SharingStageExecutor([&](const Stage& s, int) { return execute(s); }),
                  options);
}

RunSummary run_plan(const Plan& plan, const SharingStageExecutor& execute,
                    const RunOptions& options) {
  std::mutex mutex;  // guards the ledger, the states, the summary and the log
  const auto say = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  const Ledger ledger(plan.ledger_dir.empty() ? plan.run_dir : plan.ledger_dir);
  const std::size_t n = plan.stages.size();
  std::vector<std::string> order;
  std::map<std::string, std::size_t> position;
  // deps[i]: the indices of the stages stage i runs `after` (load_plan checked that
  // each names an earlier stage).
  std::vector<std::vector<std::size_t>> deps(n);
  for (std::size_t i = 0; i < n; ++i) {
    order.push_back(plan.stages[i].name);
    position[plan.stages[i].name] = i;
    for (const std::string& a : plan.stages[i].after) {
      const auto it = position.find(a);
      if (it != position.end()) deps[i].push_back(it->second);
    }
  }
  const auto tag = [&](std::size_t i) {
    return "[" + std::to_string(i + 1) + "/" + std::to_string(n) + "] " + plan.stages[i].name;
  };

  // Decide up front, in order, which stages run: those without a record (or all,
  // fresh), those whose outputs went missing or changed, and every stage that runs
  // after one of them.
  RunSummary summary;
  std::vector<State> state(n, State::kPending);
  std::vector<bool> had_record(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const Stage& stage = plan.stages[i];
    const auto record = options.fresh ? std::nullopt : ledger.read(stage.name);
    had_record[i] = record.has_value();
    std::string upstream;
    for (std::size_t d : deps[i]) {
      if (state[d] == State::kPending) upstream = plan.stages[d].name;
    }
    if (record && upstream.empty()) {
      const std::string why = stale_reason(stage, *record);
      if (why.empty()) {
        say(tag(i) + ": done earlier (" + std::to_string(static_cast<int>(record->seconds)) +
            " s), skipped");
        state[i] = State::kSkipped;
        ++summary.skipped;
        continue;
      }
      say(tag(i) + ": redoing, " + why);
    } else if (record) {
      say(tag(i) + ": redoing, its input stage " + upstream + " is redone");
    }
  }

  // Run them, at most `jobs` at once; a stage starts when every stage it runs after
  // has finished; after a failure nothing new starts and the running ones finish.
  const int jobs = std::max(1, options.jobs);
  std::condition_variable changed;
  std::vector<std::thread> workers;
  std::string first_error;
  int running = 0;
  const auto wall_start = Clock::now();
  const auto ready = [&](std::size_t i) {
    return state[i] == State::kPending &&
           std::all_of(deps[i].begin(), deps[i].end(), [&](std::size_t d) {
             return state[d] == State::kDone || state[d] == State::kSkipped;
           });
  };
  const auto work = [&](std::size_t i, int sharing) {
    const Stage& stage = plan.stages[i];
    const auto start = Clock::now();
    std::string error;
    StageRecord done;
    try {
      const int rc = execute(stage, sharing);
      done.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (rc != 0) {
        error = "stage " + stage.name + " failed (exit code " + std::to_string(rc) +
                "); finished stages are kept, rerun the same command to resume from it";
      }
      for (std::size_t k = 0; error.empty() && k < stage.outputs.size(); ++k) {
        const fs::path& out = stage.outputs[k];
        const std::string fp = fingerprint(out);
        if (fp.empty())
          error = "stage " + stage.name + " finished but did not write " + out.string();
        done.outputs[out.string()] = fp;
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::lock_guard<std::mutex> lock(mutex);
    --running;
    if (error.empty()) {
      try {
        ledger.write(stage.name, done);
        ledger.write_summary(order);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    if (error.empty()) {
      state[i] = State::kDone;
      ++summary.ran;
      summary.seconds += done.seconds;
      say(tag(i) + ": finished in " + std::to_string(static_cast<int>(done.seconds + 0.5)) + " s");
    } else {
      state[i] = State::kFailed;
      if (first_error.empty()) first_error = error;
    }
    changed.notify_all();
  };

  {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      const bool pending =
          std::any_of(state.begin(), state.end(), [](State s) { return s == State::kPending; });
      if (running == 0 && (!pending || !first_error.empty())) break;
      std::optional<std::size_t> next;
      if (first_error.empty() && running < jobs) {
        for (std::size_t i = 0; i < n && !next; ++i) {
          if (ready(i)) next = i;
        }
      }
      if (!next) {
        changed.wait(lock);
        continue;
      }
      const std::size_t i = *next;
      const Stage& stage = plan.stages[i];
      // A stage that finished before (or a fresh run) starts from scratch; an
      // interrupted one keeps its files so that its command can resume. An error here
      // (the ledger cannot be written) stops new stages like a failed one.
      try {
        if (had_record[i] || options.fresh) {
          for (const fs::path& out : stage.outputs) {
            std::error_code ec;
            fs::remove_all(out, ec);
          }
        }
        ledger.erase(stage.name);
        ledger.write_summary(order);
      } catch (const std::exception& e) {
        first_error = e.what();
        continue;
      }
      say(tag(i) + ": " + stage.summary);
      bool others_ready = false;
      for (std::size_t j = 0; j < n && !others_ready; ++j) others_ready = j != i && ready(j);
      const int sharing = running == 0 && !others_ready ? 1 : jobs;
      state[i] = State::kRunning;
      ++running;
      workers.emplace_back(work, i, sharing);
    }
  }
  for (std::thread& t : workers) t.join();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
  if (!first_error.empty()) throw Error(first_error);
  return summary;
}

}  // namespace concord::driver
