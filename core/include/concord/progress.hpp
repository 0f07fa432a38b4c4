#pragma once
/// \file
/// Progress bar with rate and ETA for long work. On a terminal it redraws one
/// line; otherwise (CI, pipes) it prints a line at most every `min_interval_s`.

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

#include "concord/export.hpp"

namespace concord {

/// Formats seconds as "H:MM:SS" or "MM:SS".
CONCORD_CORE_API std::string format_duration(double seconds);

/// A progress bar on a FILE* (stderr by default). Not thread-safe.
class CONCORD_CORE_API ProgressBar {
 public:
  /// total: number of steps (> 0); label: shown first, e.g. "simulate".
  ProgressBar(std::size_t total, std::string label, std::FILE* out = stderr,
              double min_interval_s = 5.0);
  ~ProgressBar();
  /// Sets the number of finished steps and an optional suffix (e.g. "loss=0.31").
  void update(std::size_t done, const std::string& suffix = "");
  /// Prints the final line (elapsed time) once.
  void finish(const std::string& suffix = "");
  /// The line that update() would print now, without the carriage return.
  std::string line(std::size_t done, const std::string& suffix) const;

 private:
  std::size_t total_;
  std::string label_;
  std::FILE* out_;
  bool tty_;
  double min_interval_s_;
  bool finished_ = false;
  std::size_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

}  // namespace concord
