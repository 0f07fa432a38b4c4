#include "concord/formats/error.hpp"

#include <algorithm>

namespace concord::formats {
namespace {

std::string one_line(const std::string& file, std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::replace(message.begin(), message.end(), '\r', ' ');
  return file.empty() ? message : file + ": " + message;
}

}  // namespace

FormatError::FormatError(const std::string& file, const std::string& message)
    : std::runtime_error(one_line(file, message)), file_(file) {}

}  // namespace concord::formats
