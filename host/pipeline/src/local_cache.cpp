#include "concord/pipeline/local_cache.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>

namespace concord::pipeline {

namespace {

std::atomic<std::size_t> g_budget{std::size_t{4} << 30};
constexpr std::size_t kSlabBytes = std::size_t{256} << 20;

}  // namespace

std::size_t local_cache_budget() {
  return g_budget.load();
}

void set_local_cache_budget(std::size_t bytes) {
  g_budget.store(bytes);
}

at::Tensor LocalCache::keep(const at::Tensor& value) {
  const int64_t n = value.numel();
  Slab& slab = slabs_[static_cast<int>(value.scalar_type())];
  if (!slab.data.defined() || slab.used + n > slab.data.numel()) {
    const auto element = static_cast<int64_t>(value.element_size());
    const auto slab_elements = static_cast<int64_t>(std::min(kSlabBytes, max_bytes_)) / element;
    slab.data = at::empty({std::max(n, slab_elements)}, value.options());
    slab.used = 0;
  }
  at::Tensor flat = slab.data.narrow(0, slab.used, n);
  slab.used += n;
  // Same layout as the computed tensor (e.g. channels_last) when it is dense.
  at::Tensor out = value.is_non_overlapping_and_dense()
                       ? flat.as_strided(value.sizes(), value.strides())
                       : flat.view(value.sizes());
  out.copy_(value);
  return out;
}

at::Tensor LocalCache::get_or_compute(const std::string& key,
                                      const std::function<at::Tensor()>& compute) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    ++hits_;
    return it->second;
  }
  ++misses_;
  at::Tensor value = compute();
  if (!value.defined()) return value;
  const std::size_t n = value.nbytes();
  if (max_bytes_ > 0 && bytes_ + n <= max_bytes_) {
    value = keep(value);
    entries_.emplace(key, value);
    bytes_ += n;
  }
  return value;
}

}  // namespace concord::pipeline
