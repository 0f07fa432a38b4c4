// Private helpers: whole-file read/write with FormatError on failure.
#pragma once

#include <filesystem>
#include <string>

namespace concord::formats::detail {

/// Reads the whole file; throws FormatError("cannot open ...") when it fails.
std::string read_file_bytes(const std::filesystem::path& path);

/// Writes `bytes` to `path` (truncating); throws FormatError when it fails.
void write_file_bytes(const std::filesystem::path& path, const std::string& bytes);

}  // namespace concord::formats::detail
