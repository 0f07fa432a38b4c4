#include "concord/formats/png.hpp"

#include "concord/formats/error.hpp"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>

namespace concord::formats {
namespace {

// Raw decode result owned by the caller so that longjmp never skips a destructor.
struct Decoded {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int channels = 0;
  int bit_depth = 0;
  std::vector<std::uint8_t> bytes;  // rows of width*channels*(bit_depth/8), big-endian 16-bit
  char error[256] = {0};
};

void on_png_error(png_structp png, png_const_charp msg) {
  auto* d = static_cast<Decoded*>(png_get_error_ptr(png));
  std::snprintf(d->error, sizeof(d->error), "%s", msg);
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}

// strip16: reduce 16-bit samples to 8; to_rgb: gray -> RGB; drop_alpha: remove alpha.
bool decode_png(std::FILE* fp, Decoded* d, bool strip16, bool to_rgb, bool drop_alpha) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, on_png_error, on_png_warning);
  if (png == nullptr) {
    std::snprintf(d->error, sizeof(d->error), "out of memory");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(d->error, sizeof(d->error), "out of memory");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_init_io(png, fp);
  png_read_info(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS) && !drop_alpha) png_set_tRNS_to_alpha(png);
  if (depth == 16 && strip16) png_set_strip_16(png);
  if (drop_alpha) png_set_strip_alpha(png);
  if (to_rgb && (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA)) {
    png_set_gray_to_rgb(png);
  }
  png_read_update_info(png, info);
  d->width = png_get_image_width(png, info);
  d->height = png_get_image_height(png, info);
  d->channels = png_get_channels(png, info);
  d->bit_depth = png_get_bit_depth(png, info);
  const std::size_t rowbytes = png_get_rowbytes(png, info);
  d->bytes.resize(rowbytes * d->height);
  std::vector<png_bytep> rows(d->height);
  for (png_uint_32 r = 0; r < d->height; ++r) rows[r] = d->bytes.data() + r * rowbytes;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

Decoded load(const std::filesystem::path& path, bool strip16, bool to_rgb, bool drop_alpha) {
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) throw FormatError(path.string(), "cannot open PNG file for reading");
  unsigned char sig[8] = {0};
  const std::size_t got = std::fread(sig, 1, 8, fp);
  if (got != 8 || png_sig_cmp(sig, 0, 8) != 0) {
    std::fclose(fp);
    throw FormatError(path.string(), "not a PNG file (bad signature)");
  }
  std::rewind(fp);
  Decoded d;
  const bool ok = decode_png(fp, &d, strip16, to_rgb, drop_alpha);
  std::fclose(fp);
  if (!ok) throw FormatError(path.string(), std::string("invalid or truncated PNG: ") + d.error);
  return d;
}

struct Encoded {
  char error[256] = {0};
};

void on_png_write_error(png_structp png, png_const_charp msg) {
  auto* e = static_cast<Encoded*>(png_get_error_ptr(png));
  std::snprintf(e->error, sizeof(e->error), "%s", msg);
  png_longjmp(png, 1);
}

bool encode_png(std::FILE* fp, Encoded* e, const std::uint8_t* data, int width, int height,
                int color_type, int bit_depth, std::size_t rowbytes) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, e, on_png_write_error, on_png_warning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height),
               bit_depth, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int r = 0; r < height; ++r) {
    png_write_row(png, data + static_cast<std::size_t>(r) * rowbytes);
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

void save(const std::filesystem::path& path, const std::uint8_t* data, int width, int height,
          int color_type, int bit_depth, std::size_t rowbytes) {
  if (width <= 0 || height <= 0) {
    throw FormatError(path.string(), "cannot write an empty PNG (" + std::to_string(width) + "x" +
                                         std::to_string(height) + ")");
  }
  std::FILE* fp = std::fopen(path.c_str(), "wb");
  if (fp == nullptr) throw FormatError(path.string(), "cannot open PNG file for writing");
  Encoded e;
  const bool ok = encode_png(fp, &e, data, width, height, color_type, bit_depth, rowbytes);
  const bool closed = std::fclose(fp) == 0;
  if (!ok || !closed) throw FormatError(path.string(), std::string("PNG write failed: ") + e.error);
}

}  // namespace

PngInfo read_png_info(const std::filesystem::path& path) {
  const Decoded d = load(path, false, false, false);
  PngInfo info;
  info.width = static_cast<int>(d.width);
  info.height = static_cast<int>(d.height);
  info.channels = d.channels;
  info.bit_depth = d.bit_depth;
  return info;
}

Image8 read_png_rgb(const std::filesystem::path& path) {
  Decoded d = load(path, true, true, true);
  Image8 img;
  img.width = static_cast<int>(d.width);
  img.height = static_cast<int>(d.height);
  img.channels = 3;
  img.data = std::move(d.bytes);
  return img;
}

Image8 read_png8(const std::filesystem::path& path) {
  Decoded d = load(path, true, false, false);
  Image8 img;
  img.width = static_cast<int>(d.width);
  img.height = static_cast<int>(d.height);
  img.channels = d.channels;
  img.data = std::move(d.bytes);
  return img;
}

Image16 read_png_gray16(const std::filesystem::path& path) {
  Decoded d = load(path, false, false, false);
  if (d.channels != 1) {
    throw FormatError(path.string(), "expected a single-channel PNG, got " +
                                         std::to_string(d.channels) + " channels");
  }
  Image16 img;
  img.width = static_cast<int>(d.width);
  img.height = static_cast<int>(d.height);
  img.data.resize(static_cast<std::size_t>(d.width) * d.height);
  for (std::size_t i = 0; i < img.data.size(); ++i) {
    img.data[i] = d.bit_depth == 16
                      ? static_cast<std::uint16_t>((d.bytes[2 * i] << 8) | d.bytes[2 * i + 1])
                      : d.bytes[i];
  }
  return img;
}

void write_png(const std::filesystem::path& path, const Image8& image) {
  int color = 0;
  switch (image.channels) {
    case 1:
      color = PNG_COLOR_TYPE_GRAY;
      break;
    case 3:
      color = PNG_COLOR_TYPE_RGB;
      break;
    case 4:
      color = PNG_COLOR_TYPE_RGB_ALPHA;
      break;
    default:
      throw FormatError(path.string(), "write_png expects 1, 3 or 4 channels, got " +
                                           std::to_string(image.channels));
  }
  const std::size_t rowbytes =
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.channels);
  if (image.data.size() != rowbytes * static_cast<std::size_t>(image.height)) {
    throw FormatError(path.string(), "image buffer size does not match width*height*channels");
  }
  save(path, image.data.data(), image.width, image.height, color, 8, rowbytes);
}

void write_png_gray16(const std::filesystem::path& path, const Image16& image) {
  const std::size_t n =
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  if (image.data.size() != n) {
    throw FormatError(path.string(), "image buffer size does not match width*height");
  }
  std::vector<std::uint8_t> be(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    be[2 * i] = static_cast<std::uint8_t>(image.data[i] >> 8);
    be[2 * i + 1] = static_cast<std::uint8_t>(image.data[i] & 0xff);
  }
  save(path, be.data(), image.width, image.height, PNG_COLOR_TYPE_GRAY, 16,
       2 * static_cast<std::size_t>(image.width));
}

}  // namespace concord::formats
