// concord: the host CLI. Dispatches to subcommands; every error becomes one
// line on stderr and a non-zero exit code, never a crash.
#include <c10/util/Exception.h>
#include <boost/program_options/errors.hpp>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/logging.hpp"

#include <spdlog/spdlog.h>

namespace {

void print_usage(const std::vector<concord::host::Command>& commands) {
  std::cout << "concord: heterogeneous collaborative perception host\n\n"
               "usage: concord <command> [options]   (concord <command> --help for details)\n\n"
               "commands:\n";
  for (const auto& c : commands) {
    std::printf("  %-10s %s\n", c.name.c_str(), c.summary.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto commands = concord::host::all_commands();
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    print_usage(commands);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) return concord::host::run_version(1, argv + 1);
  for (const auto& c : commands) {
    if (c.name != argv[1]) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const boost::program_options::error& e) {
      std::cerr << "concord " << c.name << ": " << e.what() << " (see concord " << c.name
                << " --help)\n";
      return 2;
    } catch (const concord::Error& e) {
      concord::logger()->error("{}", e.what());
      return 1;
    } catch (const c10::Error& e) {
      // A LibTorch check: its message without the C++ backtrace, on one line.
      std::string message = e.what_without_backtrace();
      if (const auto eol = message.find('\n'); eol != std::string::npos) message.resize(eol);
      concord::logger()->error("concord {}: {}", c.name, message);
      return 1;
    } catch (const std::exception& e) {
      concord::logger()->error("concord {}: {}", c.name, e.what());
      return 1;
    }
  }
  std::cerr << "concord: unknown command '" << argv[1] << "' (see concord --help)\n";
  return 2;
}
