#include "concord/progress.hpp"

#include <unistd.h>

#include <cmath>

namespace concord {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  long s = static_cast<long>(std::lround(seconds));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

ProgressBar::ProgressBar(std::size_t total, std::string label, std::FILE* out,
                         double min_interval_s)
    : total_(total == 0 ? 1 : total),
      label_(std::move(label)),
      out_(out),
      tty_(out != nullptr && isatty(fileno(out))),
      min_interval_s_(min_interval_s),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_ && tty_ && out_) std::fputc('\n', out_);
}

std::string ProgressBar::line(std::size_t done, const std::string& suffix) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar += std::string(static_cast<std::size_t>(kWidth - filled), '.');
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : NAN;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s [%s] %zu/%zu %3.0f%% %.2f it/s elapsed %s ETA %s",
                label_.c_str(), bar.c_str(), done, total_, frac * 100.0, rate,
                format_duration(elapsed).c_str(), format_duration(eta).c_str());
  std::string s(buf);
  if (!suffix.empty()) s += " " + suffix;
  return s;
}

void ProgressBar::update(std::size_t done, const std::string& suffix) {
  done_ = done;
  if (!out_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (tty_) {
    if (since < 0.1 && done < total_) return;
    std::fprintf(out_, "\r%s\x1b[K", line(done, suffix).c_str());
  } else {
    if (since < min_interval_s_ && done < total_) return;
    std::fprintf(out_, "%s\n", line(done, suffix).c_str());
  }
  std::fflush(out_);
  last_print_ = now;
}

void ProgressBar::finish(const std::string& suffix) {
  if (finished_ || !out_) return;
  finished_ = true;
  std::fprintf(out_, tty_ ? "\r%s\x1b[K\n" : "%s\n", line(done_, suffix).c_str());
  std::fflush(out_);
}

}  // namespace concord
