#include "concord/formats/jpeg.hpp"

#include "file_io.hpp"

#include <stb_image.h>

#include <climits>
#include <cstring>
#include <memory>

namespace concord::formats {

Image8 decode_jpeg_rgb(const std::string& bytes, const std::string& source) {
  if (bytes.empty() || bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    throw FormatError(source, "cannot decode image: " + std::to_string(bytes.size()) +
                                  " bytes (expected a non-empty JPEG)");
  }
  int w = 0, h = 0, c = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                            static_cast<int>(bytes.size()), &w, &h, &c, 3),
      stbi_image_free);
  if (!pixels) {
    const char* why = stbi_failure_reason();
    throw FormatError(source, std::string("cannot decode image (expected a JPEG): ") +
                                  (why ? why : "unknown error"));
  }
  Image8 img(w, h, 3);
  std::memcpy(img.data.data(), pixels.get(), img.data.size());
  return img;
}

Image8 read_jpeg_rgb(const std::filesystem::path& path) {
  return decode_jpeg_rgb(detail::read_file_bytes(path), path.string());
}

}  // namespace concord::formats
