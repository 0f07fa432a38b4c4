#include "concord/driver/fingerprint.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <utility>
#include <vector>

#include "concord/error.hpp"

namespace concord::driver {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t fnv1a(uint64_t h, const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= kFnvPrime;
  }
  return h;
}

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

}  // namespace

std::string fingerprint(const fs::path& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return "";
  if (fs::is_regular_file(st)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot read the stage output");
    uint64_t h = kFnvOffset, bytes = 0;
    std::vector<char> buf(1 << 16);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const auto n = static_cast<size_t>(in.gcount());
      h = fnv1a(h, buf.data(), n);
      bytes += n;
    }
    return "file " + std::to_string(bytes) + " " + hex(h);
  }
  if (fs::is_directory(st)) {
    std::vector<std::pair<std::string, uintmax_t>> files;
    try {
      for (const auto& e : fs::recursive_directory_iterator(path)) {
        if (e.is_regular_file())
          files.emplace_back(fs::relative(e.path(), path).generic_string(), e.file_size());
      }
    } catch (const fs::filesystem_error& e) {
      throw Error(path.string() + ": cannot list the stage output: " + e.what());
    }
    std::sort(files.begin(), files.end());
    uint64_t h = kFnvOffset, bytes = 0;
    for (const auto& [name, size] : files) {
      const std::string line = name + '\t' + std::to_string(size) + '\n';
      h = fnv1a(h, line.data(), line.size());
      bytes += size;
    }
    return "dir " + std::to_string(files.size()) + " " + std::to_string(bytes) + " " + hex(h);
  }
  return "";
}

}  // namespace concord::driver
