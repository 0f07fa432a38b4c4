// Deterministic random numbers for the simulator (SplitMix64 stream + hashing).
#pragma once

#include <cstdint>
#include <initializer_list>

namespace concord::sim {

/// Mixes a list of 64-bit words into one seed (SplitMix64 finaliser chained
/// over the words). Used to derive independent streams, e.g.
/// derive_seed({scenario_seed, agent_id, frame, sensor}). Pure, never throws.
/// Source: Steele, Lea, Flood, "Fast splittable pseudorandom number
/// generators" (OOPSLA 2014), SplitMix64 constants.
std::uint64_t derive_seed(std::initializer_list<std::uint64_t> words) noexcept;

/// Small deterministic PRNG (SplitMix64). Same seed gives the same sequence on
/// every platform and thread count; nothing here depends on std::*_distribution
/// (whose output is implementation-defined).
class Rng {
 public:
  /// Starts the stream at `seed`.
  explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}

  /// Next raw 64-bit value.
  std::uint64_t next_u64() noexcept;
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept;
  /// Uniform double in [lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [lo, hi] (inclusive); returns lo when hi <= lo.
  int uniform_int(int lo, int hi) noexcept;
  /// Normal N(mean, stddev) via Box-Muller; each pair of calls uses one
  /// (log, sincos) evaluation (the second value is kept for the next call).
  double normal(double mean, double stddev) noexcept;
  /// Normal N(mean, stddev) clamped to [lo, hi].
  double clamped_normal(double mean, double stddev, double lo, double hi) noexcept;
  /// True with probability p (p <= 0: never, p >= 1: always).
  bool bernoulli(double p) noexcept { return uniform() < p; }

 private:
  std::uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace concord::sim
