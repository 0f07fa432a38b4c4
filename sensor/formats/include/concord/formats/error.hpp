// FormatError: the one exception type of concord::formats.
#pragma once

#include <stdexcept>
#include <string>

namespace concord::formats {

/// Thrown by every reader/writer of concord::formats when a file is missing,
/// truncated or malformed. what() is one line that names the file and states
/// what was expected, e.g. "a.pcd: truncated binary data (expected 1600 bytes, got 12)".
class FormatError : public std::runtime_error {
 public:
  /// `file`: the offending path (may be empty for in-memory data); `message`:
  /// what was expected. Newlines in `message` are replaced by spaces.
  FormatError(const std::string& file, const std::string& message);

  /// The file named in the message.
  const std::string& file() const noexcept { return file_; }

 private:
  std::string file_;
};

}  // namespace concord::formats
