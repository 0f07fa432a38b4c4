#include "concord/pipeline/local_store.hpp"

#include <ATen/ATen.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <mutex>
#include <vector>

#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/collab_detector.hpp"
#include "sha256.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr std::array<char, 4> kMagic{'C', 'C', 'L', 'R'};
constexpr uint32_t kVersion = 1;
constexpr int32_t kMaxRank = 8;

std::mutex g_root_mutex;
fs::path g_root;

/// One fixed-size field in host byte order; false at the end of the file.
template <typename T>
bool read_pod(std::ifstream& in, T& value) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

template <typename T>
void write_pod(std::ofstream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

fs::path local_store_root() {
  std::lock_guard<std::mutex> lock(g_root_mutex);
  return g_root;
}

void set_local_store_root(const fs::path& root) {
  std::lock_guard<std::mutex> lock(g_root_mutex);
  g_root = root;
}

void write_local_file(const fs::path& file, const at::Tensor& value) {
  if (!value.defined() || !value.device().is_cpu() || !value.is_non_overlapping_and_dense())
    throw Error(file.string() + ": a local representation must be a dense CPU tensor");
  const fs::path tmp = file.string() + ".tmp" + std::to_string(static_cast<long long>(::getpid()));
  try {
    fs::create_directories(file.parent_path());
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw Error("cannot open for writing");
      out.write(kMagic.data(), kMagic.size());
      write_pod(out, kVersion);
      write_pod(out, static_cast<int32_t>(value.scalar_type()));
      write_pod(out, static_cast<int32_t>(value.dim()));
      for (int64_t s : value.sizes()) write_pod(out, s);
      for (int64_t s : value.strides()) write_pod(out, s);
      const auto nbytes = static_cast<uint64_t>(value.nbytes());
      write_pod(out, nbytes);
      out.write(static_cast<const char*>(value.data_ptr()), static_cast<std::streamsize>(nbytes));
      out.flush();
      if (!out) throw Error("write failed (disk full?)");
    }
    fs::rename(tmp, file);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Error(file.string() + ": cannot store local representation: " + e.what());
  }
}

std::optional<at::Tensor> read_local_file(const fs::path& file) {
  std::error_code ec;
  const auto file_size = fs::file_size(file, ec);
  if (ec) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::array<char, 4> magic{};
  uint32_t version = 0;
  int32_t dtype = 0, rank = 0;
  if (!in || !in.read(magic.data(), magic.size()) || magic != kMagic || !read_pod(in, version) ||
      version != kVersion || !read_pod(in, dtype) || !read_pod(in, rank) || rank < 0 ||
      rank > kMaxRank || dtype < 0 || dtype >= static_cast<int32_t>(c10::ScalarType::NumOptions))
    return std::nullopt;
  std::vector<int64_t> sizes(static_cast<size_t>(rank)), strides(static_cast<size_t>(rank));
  for (auto& s : sizes)
    if (!read_pod(in, s) || s < 0) return std::nullopt;
  for (auto& s : strides)
    if (!read_pod(in, s) || s < 0) return std::nullopt;
  uint64_t nbytes = 0;
  if (!read_pod(in, nbytes)) return std::nullopt;
  const auto header = static_cast<uint64_t>(in.tellg());
  if (header + nbytes != file_size) return std::nullopt;
  const auto type = static_cast<c10::ScalarType>(dtype);
  at::Tensor out;
  try {
    out = at::empty_strided(sizes, strides, at::TensorOptions().dtype(type));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!out.is_non_overlapping_and_dense() || out.nbytes() != nbytes) return std::nullopt;
  if (!in.read(static_cast<char*>(out.data_ptr()), static_cast<std::streamsize>(nbytes)))
    return std::nullopt;
  return out;
}

fs::path LocalStore::file(const std::string& tag, const std::string& scenario,
                          const std::string& timestamp, const std::string& agent_id) const {
  return dir_ / tag / scenario / (timestamp + "_" + agent_id + ".bin");
}

bool LocalStore::contains(const std::string& tag, const std::string& scenario,
                          const std::string& timestamp, const std::string& agent_id) const {
  std::error_code ec;
  return fs::is_regular_file(file(tag, scenario, timestamp, agent_id), ec);
}

at::Tensor LocalStore::get_or_compute(const std::string& tag, const std::string& scenario,
                                      const std::string& timestamp, const std::string& agent_id,
                                      const std::function<at::Tensor()>& compute) {
  const fs::path f = file(tag, scenario, timestamp, agent_id);
  if (std::optional<at::Tensor> stored = read_local_file(f)) {
    ++hits_;
    return *stored;
  }
  ++misses_;
  at::Tensor value = compute();
  if (!value.defined()) return value;
  try {
    write_local_file(f, value.is_non_overlapping_and_dense() ? value : value.contiguous());
  } catch (const Error& e) {
    logger()->warn("{} (continuing without storing it)", e.what());
  }
  return value;
}

fs::path local_store_dir(const fs::path& root, const std::string& step0_name,
                         const fs::path& weights_file, const DataSpec& data) {
  Sha256 h;
  h.field("concord-local-store-v1");
  std::ifstream in(weights_file, std::ios::binary);
  if (!in) throw Error(weights_file.string() + ": cannot read the Step-0 weights");
  std::vector<char> buf(std::size_t{1} << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(weights_file.string() + ": cannot read the Step-0 weights");
  h.field(format_name(data.format));
  std::error_code ec;
  const fs::path abs = fs::weakly_canonical(fs::absolute(data.root), ec);
  h.field((ec ? data.root : abs).string());
  // The modification times of the root's entries (split folders, DAIR's sides):
  // a dataset simulated again at the same path gets new folders, hence a new store.
  std::vector<std::string> entries;
  for (fs::directory_iterator it(data.root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code tec;
    const auto t = fs::last_write_time(it->path(), tec);
    entries.push_back(it->path().filename().string() + "@" +
                      std::to_string(tec ? 0 : t.time_since_epoch().count()));
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) h.field(e);
  return root / (step0_name + "-" + h.hex().substr(0, 16));
}

std::string encode_tag(CollabDetector& detector) {
  std::string tag = to_string(detector.precision());
  for (const at::Tensor& p : detector.parameters()) {
    if (p.dim() == 4 && p.size(2) * p.size(3) > 1) {
      if (p.suggest_memory_format() == at::MemoryFormat::ChannelsLast) tag += "-cl";
      break;
    }
  }
  return tag;
}

}  // namespace concord::pipeline
