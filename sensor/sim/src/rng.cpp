#include "concord/sim/rng.hpp"

#include <algorithm>
#include <cmath>

namespace concord::sim {
namespace {

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t derive_seed(std::initializer_list<std::uint64_t> words) noexcept {
  std::uint64_t h = 0x6A09E667F3BCC909ULL;
  for (std::uint64_t w : words) h = mix64(h + kGolden + mix64(w + kGolden));
  return h;
}

std::uint64_t Rng::next_u64() noexcept {
  state_ += kGolden;
  return mix64(state_);
}

double Rng::uniform() noexcept {
  return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
}

int Rng::uniform_int(int lo, int hi) noexcept {
  if (hi <= lo) return lo;
  const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
  return static_cast<int>(lo + static_cast<std::int64_t>(next_u64() % span));
}

double Rng::normal(double mean, double stddev) noexcept {
  if (has_spare_) {
    has_spare_ = false;
    return mean + stddev * spare_;
  }
  double u1 = uniform();
  const double u2 = uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double phi = 6.283185307179586 * u2;
  spare_ = r * std::sin(phi);
  has_spare_ = true;
  return mean + stddev * r * std::cos(phi);
}

double Rng::clamped_normal(double mean, double stddev, double lo, double hi) noexcept {
  return std::clamp(normal(mean, stddev), lo, hi);
}

}  // namespace concord::sim
