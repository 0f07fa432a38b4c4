#include "concord/pipeline/local_cache.hpp"

namespace concord::pipeline {

at::Tensor LocalCache::get_or_compute(const std::string& key,
                                      const std::function<at::Tensor()>& compute) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    ++hits_;
    return it->second;
  }
  ++misses_;
  at::Tensor value = compute();
  const std::size_t n = value.defined() ? value.nbytes() : 0;
  if (max_bytes_ > 0 && bytes_ + n <= max_bytes_) {
    entries_.emplace(key, value);
    bytes_ += n;
  }
  return value;
}

}  // namespace concord::pipeline
