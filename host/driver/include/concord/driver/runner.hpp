#pragma once
/// \file
/// Runs a plan's stages in order, skipping those already finished: a stage is
/// skipped when the ledger holds its record, every recorded output still has the
/// same fingerprint, and no stage it runs `after` was redone in this invocation.
/// An interrupted stage has no record and is rerun (its own command resumes
/// after its last finished epoch); a finished stage whose output is missing or
/// changed has its outputs removed and is redone from scratch. With several jobs,
/// independent stages (neither runs `after` the other) run at the same time.

#include <functional>
#include <string>

#include "concord/driver/plan.hpp"

namespace concord::driver {

/// Runs one stage's command; returns its exit code (0 = success). Called from worker
/// threads, at most RunOptions::jobs at once, each with a different stage.
using StageExecutor = std::function<int(const Stage&)>;

/// As StageExecutor, also told how many stages share the machine as the stage
/// starts: 1 when it starts alone and no other stage is ready (then none can start
/// before it finishes, so it may use every core), else RunOptions::jobs.
using SharingStageExecutor = std::function<int(const Stage&, int sharing)>;

/// What run_plan did.
struct RunSummary {
  int ran = 0;                ///< stages executed
  int skipped = 0;            ///< stages found finished
  double seconds = 0.0;       ///< sum of the executed stages' wall times (s)
  double wall_seconds = 0.0;  ///< wall time of the whole run (s); < seconds with jobs > 1
};

/// Options of run_plan.
struct RunOptions {
  bool fresh = false;  ///< ignore the ledger: redo every stage (outputs removed first)
  std::function<void(const std::string&)> log;  ///< progress lines (may be empty)
  /// Stages run at the same time (>= 1). 1 keeps the listed order exactly; more
  /// starts, in listed order, every stage whose `after` stages have finished.
  int jobs = 1;
};

/// Executes `plan` with `execute`. Throws concord::Error naming the stage when
/// its command fails (non-zero exit) or does not leave one of its outputs; no
/// stage starts after that, the stages already running finish and are recorded,
/// and the records of finished stages are kept, so rerunning resumes there.
RunSummary run_plan(const Plan& plan, const StageExecutor& execute, const RunOptions& options = {});

/// run_plan() whose executor learns, per stage, how many stages share the cores.
RunSummary run_plan(const Plan& plan, const SharingStageExecutor& execute,
                    const RunOptions& options = {});

}  // namespace concord::driver
