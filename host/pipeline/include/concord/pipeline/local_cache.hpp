#pragma once
/// \file
/// An in-memory cache of frozen local representations (the Step-0 encoders' BEV
/// features) within one process. Evaluation runs every (ego type, mode, pose-noise
/// level) over the same test frames, and stage 2 revisits the same training frames
/// every epoch; the frozen encoders map an agent's sensor data to the same feature
/// each time, whatever the pose noise (features are in the agent's own frame), so
/// each (member, frame, agent) is encoded once.

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

namespace concord::pipeline {

/// The budget of the caches the CLI creates (eval, adapt, join), default 4 GiB:
/// about 1,700 fp32 local features of 64 x 96 x 96, so two concurrent stages fit
/// the 24 GiB machine. Process-wide, set from `--cache-mib`.
std::size_t local_cache_budget();
/// Sets local_cache_budget() (bytes; 0 turns the caches off).
void set_local_cache_budget(std::size_t bytes);

/// Tensors by key, up to a byte budget. Not thread-safe.
///
/// Kept tensors are copied into large slabs (256 MiB, one series per dtype) rather
/// than held where they were computed: thousands of retained 2-MiB blocks scattered
/// through the malloc heap would keep it from reusing the space of the large
/// temporary tensors that training allocates and frees every step.
class LocalCache {
 public:
  /// `max_bytes`: the most bytes of tensor data kept; past it, new entries are
  /// computed and returned but not kept. 0 disables the cache.
  explicit LocalCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  /// The tensor stored under `key`, or `compute()`'s result, kept (as a copy with
  /// the same sizes, strides and dtype) when it fits the budget. The caller must not
  /// modify the returned tensor in place. Exceptions of `compute` propagate; nothing
  /// is stored then.
  at::Tensor get_or_compute(const std::string& key, const std::function<at::Tensor()>& compute);

  std::size_t hits() const { return hits_; }      ///< lookups served from the cache
  std::size_t misses() const { return misses_; }  ///< lookups that ran compute()
  std::size_t bytes() const { return bytes_; }    ///< tensor bytes kept
  std::size_t size() const { return entries_.size(); }

 private:
  /// A copy of `value` in the current slab of its dtype (a new slab when full).
  at::Tensor keep(const at::Tensor& value);

  struct Slab {
    at::Tensor data;   ///< [capacity] elements of one dtype
    int64_t used = 0;  ///< elements handed out
  };
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
  std::unordered_map<std::string, at::Tensor> entries_;
  std::map<int, Slab> slabs_;  ///< by c10::ScalarType
};

}  // namespace concord::pipeline
