// `concord version`.
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <cstdio>

#include "command.hpp"
#include "concord/logging.hpp"
#include "concord/plugin_abi.h"
#include "concord/plugin_loader.hpp"
#include "concord/runtime.hpp"
#include "concord/version.hpp"

namespace po = boost::program_options;

namespace concord::host {

int run_version(int argc, char** argv) {
  CommonOptions opts;
  po::options_description desc("options");
  add_common_options(desc, opts);
  po::variables_map vm;
  if (!parse_command_line(argc, argv, "usage: concord version", desc, {}, vm)) return 0;
  set_log_level(opts.log_level);
  RuntimeInfo rt = configure_runtime(opts.threads);
  std::printf("concord      %s\n", version());
  std::printf("plugin ABI   %d.%d\n", CONCORD_ABI_MAJOR, CONCORD_ABI_MINOR);
  std::printf("fingerprint  %s\n", host_build_fingerprint());
  std::printf("libtorch     %s\n", TORCH_VERSION);
  std::printf("threads      %d intra-op, BLAS %d (%s)\n", rt.intra_op_threads, rt.blas_threads,
              rt.blas.c_str());
  std::printf("cpu          bf16 %s, flush-denormal %s\n", rt.cpu_has_bf16 ? "yes" : "no",
              rt.flush_denormal ? "on" : "unavailable");
  return 0;
}

}  // namespace concord::host
