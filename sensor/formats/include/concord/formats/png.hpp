// PNG read/write (libpng): 8-bit RGB / gray and 16-bit gray.
#pragma once

#include "concord/formats/error.hpp"
#include "concord/formats/image.hpp"

#include <filesystem>

namespace concord::formats {

/// Layout of a PNG file as stored (before any conversion).
struct PngInfo {
  int width = 0;
  int height = 0;
  int channels = 0;   ///< 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palette counts as 3 or 4)
  int bit_depth = 0;  ///< 8 or 16 after palette/low-depth expansion
};

/// Layout of a PNG file (decodes the file once to get it). Throws FormatError
/// naming the file when it is missing or not a valid PNG.
PngInfo read_png_info(const std::filesystem::path& path);

/// Reads any PNG as 8-bit RGB (gray is replicated, palette expanded, alpha
/// dropped, 16-bit reduced to its high byte). Used for OPV2V `{ts}_camera{i}.png`
/// (800 x 600) and `bev_visibility.png`. Throws FormatError naming the file
/// when it is missing or not a valid PNG.
Image8 read_png_rgb(const std::filesystem::path& path);

/// Reads a PNG keeping its channel count (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA)
/// at 8 bits per sample (16-bit reduced to the high byte, palette -> RGB(A)).
/// Throws FormatError.
Image8 read_png8(const std::filesystem::path& path);

/// Reads a 16-bit (or 8-bit, widened) single-channel PNG. Throws FormatError
/// when the PNG is not single-channel.
Image16 read_png_gray16(const std::filesystem::path& path);

/// Writes an 8-bit image with 1 (gray), 3 (RGB) or 4 (RGBA) channels. Throws
/// FormatError when the channel count or buffer size is wrong or I/O fails.
void write_png(const std::filesystem::path& path, const Image8& image);

/// Writes a 16-bit single-channel PNG. Throws FormatError.
void write_png_gray16(const std::filesystem::path& path, const Image16& image);

}  // namespace concord::formats
