#include "file_io.hpp"

#include "concord/formats/error.hpp"

#include <fstream>
#include <iterator>

namespace concord::formats::detail {

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FormatError(path.string(), "cannot open file for reading");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw FormatError(path.string(), "read error");
  return bytes;
}

void write_file_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw FormatError(path.string(), "cannot open file for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw FormatError(path.string(), "write error");
}

}  // namespace concord::formats::detail
