#pragma once
/// \file
/// Fingerprints of a stage's outputs, so that a resumed run can tell a finished
/// stage from one whose output went missing or was corrupted.

#include <filesystem>
#include <string>

namespace concord::driver {

/// A short text identifying the content of `path`:
/// - a regular file: "file <bytes> <64-bit FNV-1a of the content, hex>";
/// - a folder: "dir <files> <bytes> <FNV-1a of the sorted (relative path, size) list>",
///   i.e. content of files below a folder is not read (datasets are large; a
///   truncated or deleted file changes its size or the listing);
/// - anything else or absent: "" (empty).
/// Throws concord::Error naming the path when it exists but cannot be read.
std::string fingerprint(const std::filesystem::path& path);

}  // namespace concord::driver
