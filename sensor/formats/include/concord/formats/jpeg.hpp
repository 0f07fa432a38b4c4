// JPEG reading (stb_image from Debian's libstb) for DAIR-V2X camera images.
#pragma once

#include "concord/formats/error.hpp"
#include "concord/formats/image.hpp"

#include <filesystem>
#include <string>

namespace concord::formats {

/// Decodes a JPEG (or any format stb_image reads) held in memory as 8-bit RGB
/// (gray replicated, alpha dropped), top row first. `source` names the file in
/// errors. Throws FormatError (one line with stb's reason) when it cannot be
/// decoded. DAIR-V2X images are 1920 x 1080 (sheet §1.3).
Image8 decode_jpeg_rgb(const std::string& bytes, const std::string& source);

/// Reads and decodes a JPEG file as 8-bit RGB (see decode_jpeg_rgb). Throws
/// FormatError naming the file when it is missing, unreadable or not decodable.
Image8 read_jpeg_rgb(const std::filesystem::path& path);

}  // namespace concord::formats
