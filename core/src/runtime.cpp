#include "concord/runtime.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <fstream>
#include <thread>

namespace concord {

bool cpu_supports_bf16() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" avx512_bf16") != std::string::npos ||
             line.find(" amx_bf16") != std::string::npos;
    }
  }
  return false;
}

RuntimeInfo configure_runtime(int threads) {
  RuntimeInfo info;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  info.intra_op_threads = at::get_num_threads();
  // OpenBLAS keeps its own pool; with ATen already using every core it would
  // oversubscribe them, so it is pinned to one thread. Looked up at run time so
  // the build does not depend on which BLAS Debian's alternatives selected.
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  using ConfigFn = char* (*)();
  if (auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set(1);
    if (auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"))) {
      info.blas_threads = get();
    }
    info.blas = "openblas";
    if (auto cfg = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
      info.blas += std::string(" (") + cfg() + ")";
    }
  } else {
    info.blas = "unknown (not OpenBLAS: install libopenblas0-pthread)";
  }
  info.flush_denormal = at::globalContext().setFlushDenormal(true);
  info.cpu_has_bf16 = cpu_supports_bf16();
  return info;
}

}  // namespace concord
